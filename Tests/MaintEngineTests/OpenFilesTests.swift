import Glibc
import MaintSystem
import Testing

/// Each site switched at once holds a socket: maint lifts its soft limit on open files.
struct OpenFilesTests {
    @Test func theSoftLimitIsRaisedToTheHardOne() throws {
        var limit = rlimit()
        try #require(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0)
        let ceiling = min(limit.rlim_max, 1 << 20)
        if ceiling > 1024 {
            // Lowered first (always allowed), as a shell's default would have it.
            var lowered = limit
            lowered.rlim_cur = 1024
            try #require(setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lowered) == 0)
            #expect(OpenFiles.softLimit == 1024)
        }
        OpenFiles.raiseSoftLimit()
        #expect(OpenFiles.softLimit == ceiling)
    }
}
