// Bodies for pbi/entra/token_codec.hpp.
#pragma once

#include <pbi/entra/impl/aadsts_table.ipp>
#include <pbi/entra/token_codec.hpp>

#include <pbi/detail/response_body.hpp>
#include <pbi/http/date.hpp>
#include <pbi/http/encoding.hpp>

#include <boost/json.hpp>

#include <utility>
#include <vector>

namespace pbi::entra {
namespace detail::token_codec {

namespace body = pbi::detail::body;
using form = std::vector<std::pair<std::string, std::string>>;

// A v2 ROPC scope with offline_access, unless the caller already asked for it.
inline std::string with_offline_access(std::string_view scope) {
    std::string_view rest = scope;
    while (!rest.empty()) {
        auto sp = rest.find(' ');
        if (rest.substr(0, sp) == "offline_access")
            return std::string(scope);
        if (sp == std::string_view::npos)
            break;
        rest.remove_prefix(sp + 1);
    }
    std::string out(scope);
    if (!out.empty())
        out += ' ';
    out += "offline_access";
    return out;
}

inline void add_target(form& f, const credential& cred, std::string_view scope_or_resource,
                       endpoint_version v) {
    if (v == endpoint_version::v1)
        f.emplace_back("resource", std::string(scope_or_resource));
    else if (std::holds_alternative<ropc_credential>(cred))
        f.emplace_back("scope", with_offline_access(scope_or_resource));
    else
        f.emplace_back("scope", std::string(scope_or_resource));
}

inline const aadsts_cause* find_aadsts(std::int64_t code) noexcept {
    for (const auto& entry : aadsts_table)
        if (entry.code == code)
            return &entry;
    return nullptr;
}

struct mapped {
    errc e;
    std::string hint;
};

inline std::optional<mapped> from_error_string(std::string_view error, std::string_view suberror) {
    struct entry {
        std::string_view name;
        errc e;
        const char* hint;
    };
    static constexpr entry errors[] = {
        {"invalid_client", errc::client_secret_invalid,
         "check the client id and the client secret (its Value, not its Secret ID)"},
        {"interaction_required", errc::mfa_required,
         "the password grant cannot complete an interactive step such as MFA: use a service account exempt "
         "from MFA, or a service principal (client credentials)"},
        {"invalid_tenant", errc::tenant_not_found, "check the tenant id or domain and the cloud"},
        {"user_password_expired", errc::password_expired,
         "change the account's password, then update it in this configuration"},
        {"consent_required", errc::consent_required,
         "an administrator must grant consent for the app's Power BI API permissions"},
        {"invalid_scope", errc::invalid_scope,
         "check the scope: the Power BI resource followed by /.default"},
        {"invalid_resource", errc::wrong_cloud, "check the cloud setting and the scope"},
        {"temporarily_unavailable", errc::server_error, "Entra ID is temporarily unavailable: retry later"},
    };
    for (const auto& entry : errors)
        if (error == entry.name)
            return mapped{entry.e, entry.hint};
    for (const auto& entry : errors)
        if (!suberror.empty() && suberror == entry.name)
            return mapped{entry.e, entry.hint};
    return std::nullopt;
}

inline void reset(diagnostics& diag) {
    std::string client_request_id = std::move(diag.client_request_id);
    diag.clear();
    diag.client_request_id = std::move(client_request_id);
}

inline std::string status_text(int status) {
    return "HTTP " + std::to_string(status);
}

// Copies the Entra fields of an error answer into diag.
inline void read_error_fields(const boost::json::object& o, diagnostics& diag) {
    body::get_string(o, "error", diag.error);
    body::get_string(o, "suberror", diag.suberror);
    body::get_string(o, "trace_id", diag.trace_id);
    body::get_string(o, "correlation_id", diag.correlation_id);
    body::get_string(o, "claims", diag.claims);
    diag.error = body::excerpt(diag.error, body::max_error_code);
    diag.suberror = body::excerpt(diag.suberror, body::max_error_code);
    std::string description;
    if (body::get_string(o, "error_description", description) == body::field::ok)
        diag.server_message = body::excerpt(description, body::max_server_text);
    if (const auto* codes = o.if_contains("error_codes")) {
        if (const auto* arr = codes->if_array()) {
            for (const auto& c : *arr) {
                std::int64_t v = 0;
                if (body::as_int(c, v) == body::field::ok)
                    diag.error_codes.push_back(v);
            }
        }
    }
}

inline std::error_code map_error_answer(int status, diagnostics& diag) {
    for (auto code : diag.error_codes) {
        if (const auto* entry = find_aadsts(code)) {
            std::error_code ec = entry->error;
            diag.message = ec.message() + " (AADSTS" + std::to_string(code) + ")";
            diag.hint = entry->hint;
            return ec;
        }
    }
    if (auto m = from_error_string(diag.error, diag.suberror)) {
        std::error_code ec = m->e;
        diag.message = ec.message() + " (" + (diag.error.empty() ? diag.suberror : diag.error) + ")";
        diag.hint = std::move(m->hint);
        return ec;
    }
    std::string what;
    if (!diag.error_codes.empty())
        what = "AADSTS" + std::to_string(diag.error_codes.front());
    if (!diag.error.empty())
        what += (what.empty() ? "" : ", ") + diag.error;
    auto detail = what.empty() ? std::string() : " (" + what + ")";
    if (status == 429) {
        diag.message = "Entra ID is throttling sign-ins" + detail;
        diag.hint =
            "wait for the Retry-After delay, and reuse cached tokens instead of requesting one per call";
        return errc::throttled;
    }
    if (status >= 500) {
        diag.message = "the token endpoint failed with " + status_text(status) + detail;
        diag.hint = "a transient Entra ID failure: retry later";
        return errc::server_error;
    }
    diag.message = "sign-in failed" + detail;
    if (!diag.error_codes.empty())
        diag.hint = "look the code up at https://login.microsoftonline.com/error?code=" +
                    std::to_string(diag.error_codes.front()) + " and see the server message";
    else
        diag.hint = "see the server message; quote the trace and correlation ids to an administrator";
    return errc::sign_in_failed;
}

inline std::error_code body_failure(int status, std::error_code body_ec, std::string_view text,
                                    std::optional<std::string_view> content_type, std::string_view endpoint,
                                    diagnostics& diag) {
    // A 2xx body may hold a token, and broken JSON may be a truncated token answer: only the
    // title of an HTML page, or the text of an error answer, is copied into diag.
    const bool html = body::looks_like_html(text, content_type);
    const bool success = status >= 200 && status < 300;
    if (body_ec == errc::unexpected_content_type) {
        diag.message = std::string(endpoint) + " answered " + status_text(status) + " with " +
                       (html ? "HTML (a gateway or proxy page?)" : "text instead of JSON");
        if (html)
            diag.server_message = body::html_title(text);
        if (diag.server_message.empty() && !success)
            diag.server_message = body::excerpt(text);
    } else if (body_ec == errc::malformed_json) {
        diag.message = std::string(endpoint) + " answered " + status_text(status) + " with broken JSON";
    } else {
        diag.message =
            std::string(endpoint) + " answered " + status_text(status) + " with JSON that is not an object";
    }
    if (status == 429) {
        diag.hint =
            "wait for the Retry-After delay, and reuse cached tokens instead of requesting one per call";
        return errc::throttled;
    }
    if (status >= 500) {
        diag.hint = "a transient failure between this machine and Entra ID: retry later";
        return errc::server_error;
    }
    diag.hint = "check the authority host (cloud setting) and any proxy between this machine and Entra ID";
    return body_ec;
}

// The facts of an error answer that live in headers: Retry-After (measured from the answer's
// Date), and the trace and correlation ids when the body did not carry them (Entra sends the
// trace id as x-ms-request-id and echoes client-request-id as the correlation id).
inline void read_error_headers(const http::fields& headers, diagnostics& diag) {
    if (auto ra = headers.get("Retry-After")) {
        std::optional<std::chrono::system_clock::time_point> date;
        if (auto d = headers.get("Date"))
            date = http::parse_http_date(*d);
        diag.retry_after = http::parse_retry_after(*ra, date);
    }
    if (diag.trace_id.empty())
        if (auto id = headers.get("x-ms-request-id"))
            diag.trace_id = std::string(body::trim(*id));
    if (diag.correlation_id.empty())
        if (auto id = headers.get("client-request-id"))
            diag.correlation_id = std::string(body::trim(*id));
}

inline std::error_code bad_token(std::string what, int status, diagnostics& diag) {
    diag.message = "the token endpoint answered " + status_text(status) + " but " + what;
    diag.hint =
        "check that the authority host is Entra ID (cloud setting) and that no proxy rewrites the answer";
    return errc::unexpected_json;
}

} // namespace detail::token_codec

PBI_DECL std::span<const aadsts_cause> aadsts_causes() noexcept {
    return detail::token_codec::aadsts_table;
}

PBI_DECL std::optional<errc> errc_from_aadsts(std::int64_t code) noexcept {
    if (const auto* entry = detail::token_codec::find_aadsts(code))
        return entry->error;
    return std::nullopt;
}

PBI_DECL std::string token_endpoint_path(std::string_view tenant, endpoint_version version) {
    std::string path = "/" + http::encode_path_segment(tenant);
    path += version == endpoint_version::v2 ? "/oauth2/v2.0/token" : "/oauth2/token";
    return path;
}

PBI_DECL std::string build_token_request_body(const credential& cred, std::string_view scope_or_resource,
                                              endpoint_version version) {
    detail::token_codec::form f;
    if (const auto* r = std::get_if<ropc_credential>(&cred)) {
        f.emplace_back("grant_type", "password");
        f.emplace_back("client_id", r->client_id);
        if (!r->client_secret.empty())
            f.emplace_back("client_secret", r->client_secret.reveal());
        f.emplace_back("username", r->username);
        f.emplace_back("password", r->password.reveal());
    } else {
        const auto& c = std::get<client_secret_credential>(cred);
        f.emplace_back("grant_type", "client_credentials");
        f.emplace_back("client_id", c.client_id);
        f.emplace_back("client_secret", c.client_secret.reveal());
    }
    detail::token_codec::add_target(f, cred, scope_or_resource, version);
    auto out = http::form_encode(f);
    for (auto& [name, value] : f) // best effort: do not leave copies of secrets in freed memory
        secret{std::move(value)}.clear();
    return out;
}

PBI_DECL std::string build_refresh_request_body(const credential& cred, const secret& refresh_token,
                                                std::string_view scope_or_resource,
                                                endpoint_version version) {
    detail::token_codec::form f;
    f.emplace_back("grant_type", "refresh_token");
    f.emplace_back("client_id", client_id_of(cred));
    if (const auto& s = client_secret_of(cred); !s.empty())
        f.emplace_back("client_secret", s.reveal());
    f.emplace_back("refresh_token", refresh_token.reveal());
    detail::token_codec::add_target(f, cred, scope_or_resource, version);
    auto out = http::form_encode(f);
    for (auto& [name, value] : f)
        secret{std::move(value)}.clear();
    return out;
}

PBI_DECL std::error_code parse_entra_error(int http_status, const http::fields& headers,
                                           std::string_view text, std::string_view endpoint,
                                           diagnostics& diag) {
    namespace tc = detail::token_codec;
    namespace body = pbi::detail::body;
    tc::reset(diag);
    diag.source = failure_source::entra;
    diag.http_status = http_status;
    tc::read_error_headers(headers, diag);
    if (http_status < 400 && !(http_status >= 200 && http_status < 300)) {
        diag.message = std::string(endpoint) + " answered " + tc::status_text(http_status) +
                       ", not an answer or an error";
        diag.hint =
            "check the authority host (cloud setting) and any proxy between this machine and Entra ID";
        return errc::unexpected_status;
    }
    const auto content_type = headers.get("Content-Type");
    boost::json::object o;
    if (auto ec = body::parse_object(text, content_type, o))
        return tc::body_failure(http_status, ec, text, content_type, endpoint, diag);
    tc::read_error_fields(o, diag);
    const auto ec = tc::map_error_answer(http_status, diag);
    if (ec == condition::throttled && diag.retry_after) // the wait belongs in the headline too
        diag.message += "; retry after " + std::to_string(diag.retry_after->count()) + " s";
    return ec;
}

PBI_DECL std::error_code parse_token_response(int http_status, const http::fields& headers,
                                              std::string_view text,
                                              std::chrono::steady_clock::time_point received_at,
                                              access_token& out, diagnostics& diag) {
    namespace tc = detail::token_codec;
    namespace body = pbi::detail::body;
    constexpr std::string_view endpoint = "the token endpoint";

    const bool success = http_status >= 200 && http_status < 300;
    if (!success)
        return parse_entra_error(http_status, headers, text, endpoint, diag);
    tc::reset(diag);

    const auto content_type = headers.get("Content-Type");
    boost::json::object o;
    if (auto ec = body::parse_object(text, content_type, o)) {
        diag.source = failure_source::entra;
        diag.http_status = http_status;
        return tc::body_failure(http_status, ec, text, content_type, endpoint, diag);
    }

    if (!o.contains("access_token") && o.contains("error")) {
        // A 2xx answer that carries an error: mapped like an error answer.
        return parse_entra_error(http_status, headers, text, endpoint, diag);
    }

    auto fail = [&](std::string what) {
        diag.source = failure_source::entra;
        diag.http_status = http_status;
        return tc::bad_token(std::move(what), http_status, diag);
    };

    access_token t;
    std::string token;
    switch (body::get_string(o, "access_token", token)) {
    case body::field::absent:
        return fail("its answer has no access_token");
    case body::field::wrong_type:
        return fail("its access_token is not a string");
    case body::field::ok:
        break;
    }
    if (token.empty())
        return fail("its access_token is empty");
    t.token = secret{std::move(token)};

    if (body::get_string(o, "token_type", t.token_type) == body::field::wrong_type)
        return fail("its token_type is not a string");
    if (t.token_type.empty())
        t.token_type = "Bearer";
    if (body::get_string(o, "scope", t.scope) == body::field::wrong_type)
        return fail("its scope is not a string");
    std::string refresh;
    if (body::get_string(o, "refresh_token", refresh) == body::field::wrong_type)
        return fail("its refresh_token is not a string");
    t.refresh_token = secret{std::move(refresh)};

    std::int64_t expires_in = 0;
    switch (body::get_int(o, "expires_in", expires_in)) {
    case body::field::absent:
        return fail("its answer has no expires_in");
    case body::field::wrong_type:
        return fail("its expires_in is not a number");
    case body::field::ok:
        break;
    }
    constexpr std::int64_t max_lifetime = 2147483647;
    if (expires_in <= 0 || expires_in > max_lifetime)
        return fail("its expires_in (" + std::to_string(expires_in) + ") is out of range");
    t.lifetime = std::chrono::seconds{expires_in};

    std::int64_t n = 0;
    if (body::get_int(o, "refresh_in", n) == body::field::ok && n > 0 && n <= max_lifetime)
        t.refresh_in = std::chrono::seconds{n};
    if (body::get_int(o, "expires_on", n) == body::field::ok)
        t.expires_on = n;

    t.received_at = received_at;
    t.expires_at = received_at + t.lifetime;
    out = std::move(t);
    return {};
}

} // namespace pbi::entra
