// Bodies for pbi/powerbi/error_parser.hpp.
#pragma once

#include <pbi/powerbi/error_parser.hpp>

#include <pbi/detail/response_body.hpp>
#include <pbi/http/date.hpp>

#include <boost/json.hpp>

#include <optional>
#include <string>

namespace pbi::powerbi {
namespace detail::error_parser {

namespace body = pbi::detail::body;

// `message` may be a string or an OData v3 object {"lang":"en-US","value":"..."}.
inline std::string message_of(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v)
        return {};
    if (const auto* s = v->if_string())
        return std::string(s->data(), s->size());
    if (const auto* inner = v->if_object()) {
        std::string text;
        body::get_string(*inner, "value", text);
        return text;
    }
    return {};
}

// The first "message" found in a `details` array (or in pbi.error.details[].detail.value).
inline std::string detail_message(const boost::json::object& o) {
    const auto* details = o.if_contains("details");
    if (!details || !details->is_array())
        return {};
    for (const auto& d : details->get_array()) {
        const auto* obj = d.if_object();
        if (!obj)
            continue;
        auto text = message_of(*obj, "message");
        if (text.empty())
            text = message_of(*obj, "detail");
        if (!text.empty())
            return text;
    }
    return {};
}

// "... Retry in 35 seconds." -> 35
inline std::optional<std::chrono::seconds> retry_in(std::string_view message) {
    constexpr std::string_view marker = "retry in ";
    for (std::size_t i = 0; i + marker.size() <= message.size(); ++i) {
        if (!body::iequals(message.substr(i, marker.size()), marker))
            continue;
        auto rest = message.substr(i + marker.size());
        auto end = rest.find_first_not_of("0123456789");
        auto digits = rest.substr(0, end);
        if (digits.empty() || digits.size() > 9)
            return std::nullopt;
        auto unit = body::trim(rest.substr(digits.size()));
        if (unit.substr(0, 3) != "sec" && unit.substr(0, 3) != "Sec")
            return std::nullopt;
        return std::chrono::seconds{std::stoll(std::string(digits))};
    }
    return std::nullopt;
}

struct codes {
    std::string outer; // error.code (or a top-level code)
    std::string inner; // error["pbi.error"].code
    std::string info;  // X-PowerBI-Error-Info

    bool any(std::string_view name) const {
        return body::iequals(outer, name) || body::iequals(inner, name) || body::iequals(info, name);
    }
    bool any_contains(std::string_view part) const {
        return body::icontains(outer, part) || body::icontains(inner, part) || body::icontains(info, part);
    }
};

// Reads a JSON error body into diag and `c`.
inline void read_json(const boost::json::object& o, codes& c, diagnostics& diag) {
    std::string text;
    if (const auto* err = o.if_contains("error")) {
        if (const auto* e = err->if_object()) {
            body::get_string(*e, "code", c.outer);
            text = message_of(*e, "message");
            if (const auto* p = e->if_contains("pbi.error"); p && p->is_object()) {
                const auto& pe = p->get_object();
                body::get_string(pe, "code", c.inner);
                if (text.empty())
                    text = message_of(pe, "message");
                if (text.empty())
                    text = detail_message(pe);
            }
            if (text.empty())
                text = detail_message(*e);
        } else if (const auto* s = err->if_string()) {
            c.outer.assign(s->data(), s->size());
        }
    }
    if (c.outer.empty())
        body::get_string(o, "code", c.outer);
    if (c.outer.empty() && c.inner.empty()) {
        // {"error": {"pbi.error": ...}} handled above; also a bare {"pbi.error": {...}}
        if (const auto* p = o.if_contains("pbi.error"); p && p->is_object())
            body::get_string(p->get_object(), "code", c.inner);
    }
    if (text.empty())
        text = message_of(o, "message");
    if (text.empty())
        text = message_of(o, "Message");
    diag.server_message = body::excerpt(text, body::max_server_text);
}

inline std::string status_text(int status) {
    return "HTTP " + std::to_string(status);
}

} // namespace detail::error_parser

PBI_DECL std::error_code parse_powerbi_error(int http_status, const http::fields& headers,
                                             std::string_view text, diagnostics& diag) {
    namespace ep = detail::error_parser;
    namespace body = pbi::detail::body;

    std::string client_request_id = std::move(diag.client_request_id);
    diag.clear();
    diag.client_request_id = std::move(client_request_id);
    diag.source = failure_source::powerbi;
    diag.http_status = http_status;

    if (auto id = headers.get("RequestId"))
        diag.request_id = std::string(body::trim(*id));
    else if (auto ms = headers.get("x-ms-request-id"))
        diag.request_id = std::string(body::trim(*ms));
    if (auto info = headers.get("X-PowerBI-Error-Info"))
        diag.powerbi_error_info = std::string(body::trim(*info));
    if (auto ra = headers.get("Retry-After")) {
        std::optional<std::chrono::system_clock::time_point> date;
        if (auto d = headers.get("Date"))
            date = http::parse_http_date(*d);
        diag.retry_after = http::parse_retry_after(*ra, date);
    }

    ep::codes c;
    c.info = diag.powerbi_error_info;
    // The header may carry more than a bare code ("TokenExpired; ..."): keep its first token.
    if (auto cut = c.info.find_first_of(";, "); cut != std::string::npos)
        c.info.resize(cut);

    // What the body is.
    std::string shape; // empty: JSON was read
    const auto content_type = headers.get("Content-Type");
    const auto trimmed = body::skip_preamble(text);
    if (trimmed.empty()) {
        shape = "an empty body";
    } else {
        boost::json::object o;
        auto ec = body::parse_object(text, content_type, o);
        if (!ec) {
            ep::read_json(o, c, diag);
        } else if (body::looks_like_html(text, content_type)) {
            shape = "HTML (a gateway or proxy page?)";
            diag.server_message = body::page_summary(text);
        } else if (ec == errc::unexpected_content_type) {
            shape = "text instead of JSON (a gateway or proxy?)";
            diag.server_message = body::excerpt(text);
        } else {
            shape = "broken JSON";
            diag.server_message = body::excerpt(text);
        }
    }
    c.outer = body::excerpt(c.outer, body::max_error_code);
    c.inner = body::excerpt(c.inner, body::max_error_code);
    c.info = body::excerpt(c.info, body::max_error_code);
    diag.error = !c.outer.empty() ? c.outer : !c.inner.empty() ? c.inner : c.info;
    if (!c.inner.empty() && !body::iequals(c.inner, diag.error))
        diag.suberror = c.inner;
    if (!diag.retry_after && http_status == 429)
        diag.retry_after = ep::retry_in(diag.server_message);

    // "Power BI answered HTTP 403 TokenExpired" / "the server answered with HTML (...), HTTP 502"
    std::string head = "Power BI answered " + ep::status_text(http_status);
    if (!shape.empty() && shape != "an empty body")
        head = "the server answered with " + shape + ", " + ep::status_text(http_status);
    else if (!diag.error.empty())
        head += " " + diag.error + (diag.suberror.empty() ? "" : " (" + diag.suberror + ")");
    else if (!shape.empty())
        head += " with " + shape;

    auto finish = [&](errc e, std::string what, std::string hint) -> std::error_code {
        diag.message = head + ": " + what;
        diag.hint = std::move(hint);
        return e;
    };

    const bool auth_status = http_status == 401 || http_status == 403;
    if (http_status < 400)
        return finish(errc::unexpected_status, "not an error status the SDK expects",
                      "check the API origin (cloud setting) and any proxy in between");
    if (auth_status && (c.any("TokenExpired") || c.any("InvalidToken")))
        return finish(errc::token_expired, "the access token has expired or is invalid",
                      "renew the Entra ID access token and retry once; if it repeats, check that the token's "
                      "scope is the Power BI resource of this cloud");
    if (c.any("ServicePrincipalIsNotAllowedByTenantAdminSwitch") ||
        c.any_contains("ServicePrincipalIsNotAllowed"))
        return finish(
            errc::service_principal_not_allowed, "this tenant does not let service principals use the API",
            "a Power BI administrator must enable 'Service principals can use Fabric/Power BI APIs' "
            "(Admin portal, Tenant settings, Developer settings) for a security group that contains the "
            "app's "
            "service principal; or sign in with a service account (password grant) instead");
    if (auth_status &&
        (c.any("GroupNotAccessible") || c.any_contains("NotMember") || c.any_contains("NotAMember")))
        return finish(errc::not_workspace_member, "the signed-in identity cannot access this workspace",
                      "add the user or the service principal to the workspace (Member or Admin for embed "
                      "tokens)");
    if (http_status == 403 && c.any_contains("Quota"))
        return finish(
            errc::not_authorized, "the capacity's quota (for example of embed tokens) is used up",
            "move the workspace to a dedicated capacity (an A, EM, P or F SKU) or wait for the quota to "
            "reset; embed tokens for shared capacity are meant for testing");
    if (auth_status)
        return finish(errc::not_authorized, "the signed-in identity is not allowed to do this",
                      "check the identity's workspace role and the app's Power BI API permissions (and admin "
                      "consent)");
    if (http_status == 404)
        return finish(errc::entity_not_found, "the item was not found, or the identity cannot see it",
                      "check the workspace and item ids, and that the identity has access to the workspace");
    if (http_status == 400)
        return finish(errc::bad_request, "the request was rejected as invalid",
                      "see the server message; the request's ids, filter or body are wrong");
    if (http_status == 429) {
        std::string what = "too many requests";
        if (diag.retry_after)
            what += "; retry after " + std::to_string(diag.retry_after->count()) + " s";
        return finish(errc::throttled, std::move(what),
                      "wait for the Retry-After delay; reduce the call rate (cache embed tokens and lists)");
    }
    if (http_status >= 500)
        return finish(errc::server_error, "the service failed",
                      "a transient failure: retry later; quote the request id if it persists");
    return finish(errc::powerbi_error, "the call failed", "see the error code and the server message");
}

PBI_DECL std::error_code classify_effective_identity_error(std::string_view server_message) {
    if (server_message.find("requires effective identity to be provided") != std::string_view::npos)
        return make_error_code(errc::effective_identity_required);
    if (server_message.find("shouldn't have effective identity") != std::string_view::npos)
        return make_error_code(errc::effective_identity_not_allowed);
    return {};
}

} // namespace pbi::powerbi
