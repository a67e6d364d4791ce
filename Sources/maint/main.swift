import Foundation
import MaintSystem

OpenFiles.raiseSoftLimit()
exit(CommandLineTool.run(Array(CommandLine.arguments.dropFirst())).rawValue)
