import Foundation

/// Profiles maint ships for real platforms (SPEC "Profiles"), written as a schedule file would
/// write them. A profile of the same name in the files is taken instead.
public enum BuiltInProfiles {
    static let text = #"""
        {
          // Haiilo (on premises): the management API; users are logged out, admins with the
          // permission keep working. vars: url, user, password (the management user's), prefix
          // ("/manage"; "/manage/backend" from Haiilo 32). Each notice shows the headline and
          // message to every user as a banner until the start.
          haiilo: {
            vars: { prefix: "/manage" },
            driver: "http",
            activate: { method: "POST", url: "{{vars.url}}{{vars.prefix}}/maintenance",
                        basicAuth: { user: "{{vars.user}}", password: "{{vars.password}}" },
                        json: { headline: "{{headline}}", message: "{{message}}" } },
            deactivate: { method: "DELETE", url: "{{vars.url}}{{vars.prefix}}/maintenance",
                          basicAuth: { user: "{{vars.user}}", password: "{{vars.password}}" } },
            notice: { method: "POST", url: "{{vars.url}}{{vars.prefix}}/maintenance/message/all",
                      basicAuth: { user: "{{vars.user}}", password: "{{vars.password}}" },
                      json: { message: "{{headline}} at {{start.local}}. {{message}}", duration: "{{startsIn}}", onlyAdmins: false } },
          },
          // GitLab (self-managed): the application setting, with an administrator's token. The
          // instance caches it for up to 60 s, so the health check waits until the setting it
          // answers is off again. vars: url, token.
          gitlab: {
            driver: "http",
            health: [ { name: "maintenance-mode-off", url: "{{vars.url}}/api/v4/application/settings",
                        headers: { "PRIVATE-TOKEN": "{{vars.token}}" },
                        expect: "[STATUS] == 200 && [BODY].maintenance_mode == false", interval: "5s" } ],
            healthTimeout: "3m",
            activate: { method: "PUT", url: "{{vars.url}}/api/v4/application/settings?maintenance_mode=true&maintenance_mode_message={{message}}",
                        headers: { "PRIVATE-TOKEN": "{{vars.token}}" } },
            deactivate: { method: "PUT", url: "{{vars.url}}/api/v4/application/settings?maintenance_mode=false",
                          headers: { "PRIVATE-TOKEN": "{{vars.token}}" } },
          },
          // Consul: the agent's node maintenance (its services leave DNS and the catalogue's
          // healthy answers), the reason shown on the node's maintenance check. vars: url (the
          // agent's, such as http://127.0.0.1:8500), token (an ACL token with node write).
          consul: {
            driver: "http",
            activate: { method: "PUT", url: "{{vars.url}}/v1/agent/maintenance?enable=true&reason={{headline}}%3A%20{{message}}",
                        headers: { "X-Consul-Token": "{{vars.token}}" } },
            deactivate: { method: "PUT", url: "{{vars.url}}/v1/agent/maintenance?enable=false",
                          headers: { "X-Consul-Token": "{{vars.token}}" } },
          },
          // Consul, one service of the agent (its instances leave DNS and the healthy answers).
          // vars: url, token, service (the service's id on the agent).
          "consul-service": {
            driver: "http",
            activate: { method: "PUT", url: "{{vars.url}}/v1/agent/service/maintenance/{{vars.service}}?enable=true&reason={{headline}}%3A%20{{message}}",
                        headers: { "X-Consul-Token": "{{vars.token}}" } },
            deactivate: { method: "PUT", url: "{{vars.url}}/v1/agent/service/maintenance/{{vars.service}}?enable=false",
                          headers: { "X-Consul-Token": "{{vars.token}}" } },
          },
          // Discourse: read-only mode (people can read, not post); Discourse shows its own
          // notice, not the window's text. vars: url, apiKey, apiUsername (an admin's).
          discourse: {
            driver: "http",
            activate: { method: "PUT", url: "{{vars.url}}/admin/backups/readonly.json",
                        headers: { "Api-Key": "{{vars.apiKey}}", "Api-Username": "{{vars.apiUsername}}" }, json: { enable: true } },
            deactivate: { method: "PUT", url: "{{vars.url}}/admin/backups/readonly.json",
                          headers: { "Api-Key": "{{vars.apiKey}}", "Api-Username": "{{vars.apiUsername}}" }, json: { enable: false } },
          },
          // GitHub Enterprise Server: maintenance mode through the Management Console API (basic
          // auth as api_key with the console's password); GitHub shows its own page. vars: url
          // (the console's, such as https://ghe.example.com:8443), password.
          "github-enterprise": {
            driver: "http",
            activate: { method: "POST", url: "{{vars.url}}/setup/api/maintenance",
                        basicAuth: { user: "api_key", password: "{{vars.password}}" },
                        headers: { "Content-Type": "application/x-www-form-urlencoded" },
                        body: "maintenance=%7B%22enabled%22%3Atrue%2C%22when%22%3A%22now%22%7D" },
            deactivate: { method: "POST", url: "{{vars.url}}/setup/api/maintenance",
                          basicAuth: { user: "api_key", password: "{{vars.password}}" },
                          headers: { "Content-Type": "application/x-www-form-urlencoded" },
                          body: "maintenance=%7B%22enabled%22%3Afalse%2C%22when%22%3A%22now%22%7D" },
          },
          // The command and file recipes: each switch runs the platform's own command in its
          // directory (`path`), with no shell; the window's text reaches it as MAINT_* variables.
          // `php` (or `drush`) is the program to run it with, default "php": give a wrapper that
          // runs it as the site's user where the platform wants that (Nextcloud does).
          //
          // Laravel: `php artisan down` with Laravel's 503 page, `php artisan up`. vars: path.
          laravel: {
            vars: { php: "php" },
            driver: "command",
            activate: { argv: ["{{vars.php}}", "artisan", "down", "--render=errors::503"], cwd: "{{vars.path}}" },
            deactivate: { argv: ["{{vars.php}}", "artisan", "up"], cwd: "{{vars.path}}" },
          },
          // ClientXCMS (a Laravel application): its own maintenance settings, as its admin page
          // sets them (the message, the button's text, icon and link from the window's page), so
          // that its page, logout and admin access work as built. vars: path.
          clientxcms: {
            vars: { php: "php" },
            driver: "command",
            activate: { argv: ["{{vars.php}}", "artisan", "tinker", "--execute=App\\Models\\Admin\\Setting::updateSettings(array_filter(['maintenance_enabled' => getenv('MAINT_ACTION') === 'activate', 'maintenance_message' => getenv('MAINT_MESSAGE') ?: null, 'maintenance_button_text' => getenv('MAINT_BUTTON_TEXT') ?: null, 'maintenance_button_icon' => getenv('MAINT_ICON') ?: null, 'maintenance_button_url' => getenv('MAINT_BYPASS_URL') ?: null], fn ($value) => $value !== null));"],
                        cwd: "{{vars.path}}" },
            deactivate: { argv: ["{{vars.php}}", "artisan", "tinker", "--execute=App\\Models\\Admin\\Setting::updateSettings(['maintenance_enabled' => false]);"],
                          cwd: "{{vars.path}}" },
          },
          // Drupal: the maintenance message and mode through Drush, caches flushed so that
          // every page shows it. vars: path (the Drupal root), drush (default "drush").
          drupal: {
            vars: { drush: "drush" },
            driver: "command",
            activate: { argv: ["{{vars.drush}}", "--root={{vars.path}}", "php:eval", "\\Drupal::configFactory()->getEditable('system.maintenance')->set('message', getenv('MAINT_MESSAGE'))->save(); \\Drupal::state()->set('system.maintenance_mode', 1); drupal_flush_all_caches();"] },
            deactivate: { argv: ["{{vars.drush}}", "--root={{vars.path}}", "php:eval", "\\Drupal::state()->set('system.maintenance_mode', 0); drupal_flush_all_caches();"] },
          },
          // Nextcloud: `occ maintenance:mode --on|--off`, run as the owner of config/config.php.
          nextcloud: {
            vars: { php: "php" },
            driver: "command",
            activate: { argv: ["{{vars.php}}", "occ", "maintenance:mode", "--on"], cwd: "{{vars.path}}" },
            deactivate: { argv: ["{{vars.php}}", "occ", "maintenance:mode", "--off"], cwd: "{{vars.path}}" },
          },
          // Magento (Adobe Commerce): `bin/magento maintenance:enable|disable`.
          magento: {
            vars: { php: "php" },
            driver: "command",
            activate: { argv: ["{{vars.php}}", "bin/magento", "maintenance:enable"], cwd: "{{vars.path}}" },
            deactivate: { argv: ["{{vars.php}}", "bin/magento", "maintenance:disable"], cwd: "{{vars.path}}" },
          },
          // Moodle: `admin/cli/maintenance.php --enable|--disable`.
          moodle: {
            vars: { php: "php" },
            driver: "command",
            activate: { argv: ["{{vars.php}}", "admin/cli/maintenance.php", "--enable"], cwd: "{{vars.path}}" },
            deactivate: { argv: ["{{vars.php}}", "admin/cli/maintenance.php", "--disable"], cwd: "{{vars.path}}" },
          },
          // WordPress: its `.maintenance` file in the root; WordPress ignores one older than
          // ten minutes, so it is written again every five. vars: path (the WordPress root).
          wordpress: {
            driver: "file",
            file: { path: "{{vars.path}}/.maintenance", content: "<?php $upgrading = {{now.unix}}; ?>", rearm: "5m" },
          },
        }
        """#

    /// The vars a built-in profile takes, by name; those with a default included.
    public static func vars(of profile: String) -> [String] {
        all[profile].map { ScheduleReader.varNames(in: $0).sorted() } ?? []
    }

    /// Each built-in profile by name, as the reader's `profile` takes it.
    public static let all: [String: JSONValue] = {
        guard case .object(let profiles)? = try? JSONValue.parseJSON5(Data(text.utf8)) else { return [:] }
        return profiles
    }()
}
