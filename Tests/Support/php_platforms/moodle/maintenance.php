<?php
// A loopback imitation of Moodle's admin/cli/maintenance.php for maint's `moodle` profile, from
// Moodle's documentation: --enable sets the site's maintenance_enabled (here in
// moodledata/config.json), --disable clears it, --help or nothing prints the usage; an unknown
// option is an error ("Unrecognised options") with exit 1.
define('SITE', getcwd());
// For tests: a `.fail-once` file in the site makes the next run fail, as a platform having a bad
// moment would (a locked database); the file is removed.
if (is_file(SITE . '/.fail-once')) { unlink(SITE . '/.fail-once'); fwrite(STDERR, "SQLSTATE[HY000]: General error: 5 database is locked\n"); exit(1); }
$config = getcwd() . '/moodledata/config.json';
if (!is_file($config)) { fwrite(STDERR, "Could not open input file: admin/cli/maintenance.php\n"); exit(1); }
$settings = json_decode(file_get_contents($config), true);
$args = array_slice($argv, 1);
$unknown = array_diff($args, ['--enable', '--disable', '--help']);
if ($unknown) { fwrite(STDERR, "Unrecognised options:\n  " . implode("\n  ", $unknown) . "\nPlease use --help option.\n"); exit(1); }
if (in_array('--enable', $args, true)) {
    $settings['maintenance_enabled'] = 1;
    echo "== Maintenance mode (https://moodle.example.com) ==\nYour site is currently in maintenance mode, only admins can log in or use the site.\n";
} elseif (in_array('--disable', $args, true)) {
    $settings['maintenance_enabled'] = 0;
    echo "== Maintenance mode (https://moodle.example.com) ==\nMaintenance mode is disabled.\n";
} else {
    echo "Maintenance mode settings.\n\nOptions:\n--enable   Enable maintenance mode\n--disable  Disable maintenance mode\n";
    exit(0);
}
file_put_contents($config, json_encode($settings, JSON_PRETTY_PRINT));
exit(0);
