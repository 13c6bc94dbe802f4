// pbi CLI — configuration from PBI_* environment variables.
#pragma once

#include <pbi/pbi.hpp>
#include <pbi/testing/emulator.hpp>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace pbi_cli {

/// Everything the CLI needs to talk to Entra ID and Power BI (or the emulator).
struct settings {
    pbi::entra::credential credential;
    pbi::cloud cloud = pbi::cloud::preset(pbi::cloud_name::public_cloud);
    pbi::http::tls_options tls;
    /// The proxy for https origins (HTTPS_PROXY / ALL_PROXY / NO_PROXY and their lower-case
    /// forms); nullopt: the http::client reads the same variables itself.
    std::optional<pbi::http::proxy_config> proxy;
    bool using_builtin_emulator = false;
};

inline std::optional<std::string> env(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v)
        return std::nullopt;
    return std::string(v);
}

/// True when the variable is set to the empty string (or only white space).
inline bool set_but_empty(const char* name) {
    const char* v = std::getenv(name);
    if (!v)
        return false;
    for (; *v; ++v)
        if (!std::isspace(static_cast<unsigned char>(*v)))
            return false;
    return true;
}

/// An empty PBI_TENANT_ID next to credentials (PBI_CLIENT_ID, PBI_CLIENT_SECRET, PBI_USERNAME,
/// PBI_PASSWORD): a script whose tenant came out empty, which must not quietly get the
/// emulator's made-up data. An empty PBI_TENANT_ID alone means unset (the emulator), as it
/// always has: tools that cannot unset a variable set it empty.
inline bool tenant_missing_beside_credentials() {
    if (!set_but_empty("PBI_TENANT_ID"))
        return false;
    for (const char* name : {"PBI_CLIENT_ID", "PBI_CLIENT_SECRET", "PBI_USERNAME", "PBI_PASSWORD"})
        if (env(name))
            return true;
    return false;
}

/// Reads PBI_* variables. Returns an error message for an unusable configuration.
inline std::optional<std::string> read_settings(settings& out) {
    auto tenant = env("PBI_TENANT_ID");
    auto client_id = env("PBI_CLIENT_ID");
    auto secret = env("PBI_CLIENT_SECRET");
    auto user = env("PBI_USERNAME");
    auto password = env("PBI_PASSWORD");
    if (!tenant)
        return "PBI_TENANT_ID is not set";
    if (!client_id)
        return "PBI_CLIENT_ID is not set";
    if (user && password) {
        pbi::entra::ropc_credential c;
        c.tenant_id = *tenant;
        c.client_id = *client_id;
        c.client_secret = pbi::secret(secret.value_or(""));
        c.username = *user;
        c.password = pbi::secret(*password);
        out.credential = std::move(c);
    } else if (user || password) {
        return "set both PBI_USERNAME and PBI_PASSWORD (password grant), or neither (client credentials)";
    } else {
        if (!secret)
            return "PBI_CLIENT_SECRET is not set (needed for client credentials without "
                   "PBI_USERNAME/PBI_PASSWORD)";
        pbi::entra::client_secret_credential c;
        c.tenant_id = *tenant;
        c.client_id = *client_id;
        c.client_secret = pbi::secret(*secret);
        out.credential = std::move(c);
    }
    if (auto name = env("PBI_CLOUD")) {
        auto parsed = pbi::cloud::parse_name(*name);
        if (!parsed)
            return "PBI_CLOUD must be one of public, usgov, usgovhigh, usdod, china (got '" + *name + "')";
        out.cloud = pbi::cloud::preset(*parsed);
    }
    // Never echoes a user name or password given in the value (https://user:password@host).
    auto check_origin = [](const std::string& var, const std::string& value) -> std::optional<std::string> {
        const std::string shown = pbi::http::redact_user_info(value);
        if (shown != value)
            return var +
                   " must be an https origin like https://host[:port], without a user name or password (got "
                   "'" +
                   shown + "')";
        std::error_code ec;
        auto u = pbi::http::url::parse(value, ec);
        if (ec || u.scheme != "https" || (u.target != "/" && !u.target.empty()))
            return var + " must be an https origin like https://host[:port] (got '" + shown + "')";
        return std::nullopt;
    };
    if (auto a = env("PBI_AUTHORITY_HOST")) {
        if (auto e = check_origin("PBI_AUTHORITY_HOST", *a))
            return e;
        out.cloud.authority_host_origin = *a;
    }
    if (auto a = env("PBI_API_BASE")) {
        if (auto e = check_origin("PBI_API_BASE", *a))
            return e;
        out.cloud.api_origin = *a;
    }
    if (auto ca = env("PBI_CA_FILE")) {
        std::ifstream in(*ca);
        if (!in)
            return "PBI_CA_FILE '" + *ca + "' cannot be read";
        out.tls.extra_ca_files.push_back(*ca);
    }
    {
        std::error_code ec;
        pbi::diagnostics d;
        auto proxy = pbi::http::proxy_config::from_environment({}, ec, d);
        if (ec)
            return d.message + "; " + d.hint;
        out.proxy = std::move(proxy);
    }
    if (auto e = pbi::entra::validate(out.credential))
        return "the credential is unusable: " + e.message();
    return std::nullopt;
}

/// The http::client options for these settings: trust anchors and proxy.
inline pbi::http::client_options http_options(const settings& s) {
    pbi::http::client_options o;
    o.tls = s.tls;
    o.proxy = s.proxy;
    return o;
}

/// Settings that point at an emulator (credentials, origins, CA).
inline settings settings_for(const pbi::testing::emulator& emu) {
    settings s;
    const auto& o = emu.options();
    pbi::entra::ropc_credential c;
    c.tenant_id = o.tenant_id;
    c.client_id = o.client_id;
    c.client_secret = pbi::secret(o.client_secret);
    c.username = o.users.at(0).username;
    c.password = pbi::secret(o.users.at(0).password);
    s.credential = std::move(c);
    s.cloud.authority_host_origin = emu.origin();
    s.cloud.api_origin = emu.origin();
    s.tls.extra_ca_pem.push_back(emu.ca_pem());
    s.using_builtin_emulator = true;
    return s;
}

} // namespace pbi_cli
