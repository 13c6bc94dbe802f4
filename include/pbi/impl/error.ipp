// Bodies for pbi/error.hpp.
#pragma once

#include <pbi/error.hpp>

#include <asio/error.hpp>
#include <asio/ssl/error.hpp>

namespace pbi {
namespace detail {

inline const char* errc_message(errc e) noexcept {
    switch (e) {
    case errc::invalid_argument:
        return "invalid argument";
    case errc::invalid_url:
        return "invalid URL";
    case errc::missing_configuration:
        return "required configuration is missing";
    case errc::timeout:
        return "the call's deadline passed";
    case errc::connection_closed:
        return "the server closed the connection before the response was complete";
    case errc::tls_handshake_failed:
        return "the TLS handshake failed";
    case errc::certificate_untrusted:
        return "the server's certificate is not trusted";
    case errc::certificate_name_mismatch:
        return "the server's certificate does not match the host name";
    case errc::certificate_expired:
        return "the server's certificate has expired or is not yet valid";
    case errc::redirect_refused:
        return "a redirect was not followed";
    case errc::bad_status_line:
        return "malformed HTTP status line";
    case errc::bad_header:
        return "malformed HTTP header";
    case errc::header_limit_exceeded:
        return "the HTTP header block is too large";
    case errc::body_limit_exceeded:
        return "the HTTP body is too large";
    case errc::bad_content_length:
        return "invalid Content-Length";
    case errc::bad_transfer_encoding:
        return "unsupported or invalid Transfer-Encoding";
    case errc::bad_chunk:
        return "malformed chunked encoding";
    case errc::partial_message:
        return "the response ended before it was complete";
    case errc::malformed_json:
        return "the response is not valid JSON";
    case errc::unexpected_json:
        return "the response JSON lacks a field or has a field of the wrong type";
    case errc::unexpected_content_type:
        return "the response is not the JSON or file expected (HTML or text from a gateway?)";
    case errc::unexpected_status:
        return "unexpected HTTP status";
    case errc::invalid_credentials:
        return "sign-in failed: wrong user name or password";
    case errc::federated_account:
        return "sign-in failed: the account is federated and the password grant cannot sign it in";
    case errc::mfa_required:
        return "sign-in failed: the account needs multi-factor authentication";
    case errc::account_locked:
        return "sign-in failed: the account is locked";
    case errc::account_disabled:
        return "sign-in failed: the account is disabled";
    case errc::password_expired:
        return "sign-in failed: the password has expired";
    case errc::user_not_found:
        return "sign-in failed: the user does not exist in this tenant";
    case errc::user_not_assigned:
        return "sign-in failed: the user is not assigned to the application";
    case errc::consent_required:
        return "sign-in failed: consent for the Power BI permissions is missing";
    case errc::conditional_access_blocked:
        return "sign-in failed: blocked by Conditional Access";
    case errc::client_secret_invalid:
        return "sign-in failed: the client secret is wrong";
    case errc::client_secret_expired:
        return "sign-in failed: the client secret has expired";
    case errc::client_secret_missing:
        return "sign-in failed: the application needs a client secret";
    case errc::public_client_sent_secret:
        return "sign-in failed: a public client must not send a client secret";
    case errc::app_not_found:
        return "sign-in failed: the application (client id) was not found in this tenant";
    case errc::app_disabled:
        return "sign-in failed: the application is disabled";
    case errc::tenant_not_found:
        return "sign-in failed: the tenant was not found";
    case errc::wrong_cloud:
        return "sign-in failed: Power BI was not found for this tenant or cloud";
    case errc::invalid_scope:
        return "sign-in failed: the requested scope is invalid";
    case errc::malformed_token_request:
        return "sign-in failed: the token request was malformed";
    case errc::refresh_token_expired:
        return "the refresh token was rejected or has expired";
    case errc::clock_skew:
        return "sign-in failed: this machine's clock differs from the server's";
    case errc::request_loop_throttled:
        return "sign-in throttled: too many identical requests";
    case errc::sign_in_failed:
        return "sign-in failed";
    case errc::token_expired:
        return "Power BI rejected the access token as expired or invalid";
    case errc::not_authorized:
        return "Power BI refused the call: not authorized";
    case errc::service_principal_not_allowed:
        return "Power BI does not allow service principals in this tenant";
    case errc::not_workspace_member:
        return "the signed-in identity cannot access this workspace";
    case errc::entity_not_found:
        return "Power BI could not find the item (or the identity may not see it)";
    case errc::bad_request:
        return "Power BI rejected the request as invalid";
    case errc::throttled:
        return "the server is throttling requests";
    case errc::server_error:
        return "the server failed (5xx)";
    case errc::powerbi_error:
        return "Power BI answered with an error";
    case errc::proxy_auth_required:
        return "the proxy requires authentication (407)";
    case errc::proxy_refused:
        return "the proxy refused to open a tunnel";
    case errc::proxy_protocol_error:
        return "the proxy's answer to CONNECT is not valid";
    case errc::effective_identity_required:
        return "the dataset uses row-level security: the embed token needs an effective identity";
    case errc::effective_identity_not_allowed:
        return "the dataset has no row-level security: the embed token must not carry an effective identity";
    case errc::export_format_not_supported:
        return "this type of report cannot be exported to the requested file format";
    case errc::export_failed:
        return "Power BI could not export the report";
    }
    return "unknown pbi error";
}

inline bool is_transport_code(const std::error_code& ec) noexcept {
    if (ec.category() == pbi::error_category()) {
        auto v = static_cast<errc>(ec.value());
        return (v >= errc::timeout && v <= errc::redirect_refused) ||
               (v >= errc::bad_status_line && v <= errc::partial_message) ||
               (v >= errc::proxy_auth_required && v <= errc::proxy_protocol_error);
    }
    return ec.category() == asio::error::get_system_category() ||
           ec.category() == asio::error::get_netdb_category() ||
           ec.category() == asio::error::get_addrinfo_category() ||
           ec.category() == asio::error::get_misc_category() ||
           ec.category() == asio::error::get_ssl_category() ||
           ec.category() == asio::ssl::error::get_stream_category();
}

class pbi_error_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "pbi"; }
    std::string message(int ev) const override { return errc_message(static_cast<errc>(ev)); }
};

class pbi_condition_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "pbi.condition"; }
    std::string message(int ev) const override {
        switch (static_cast<condition>(ev)) {
        case condition::retryable:
            return "retryable";
        case condition::auth:
            return "authentication or authorisation failure";
        case condition::throttled:
            return "throttled";
        case condition::configuration:
            return "configuration error";
        case condition::transport:
            return "transport failure";
        }
        return "unknown condition";
    }
    bool equivalent(const std::error_code& ec, int cond) const noexcept override {
        const bool ours = ec.category() == pbi::error_category();
        const auto v = static_cast<errc>(ec.value());
        switch (static_cast<condition>(cond)) {
        case condition::transport:
            return is_transport_code(ec);
        case condition::throttled:
            return ours && (v == errc::throttled || v == errc::request_loop_throttled);
        case condition::retryable:
            if (ours)
                return v == errc::timeout || v == errc::connection_closed || v == errc::partial_message ||
                       v == errc::throttled || v == errc::request_loop_throttled || v == errc::server_error;
            // Asio reports OS errors in its own "asio.system" category: compare with its enums.
            return ec == asio::error::connection_refused || ec == asio::error::connection_reset ||
                   ec == asio::error::connection_aborted || ec == asio::error::timed_out ||
                   ec == asio::error::network_unreachable || ec == asio::error::host_unreachable ||
                   ec == asio::error::network_down || ec == asio::error::broken_pipe ||
                   ec == asio::error::eof || ec == asio::error::host_not_found_try_again;
        case condition::auth:
            return ours && ((v >= errc::invalid_credentials && v <= errc::sign_in_failed &&
                             v != errc::request_loop_throttled) ||
                            v == errc::token_expired || v == errc::not_authorized ||
                            v == errc::service_principal_not_allowed || v == errc::not_workspace_member);
        case condition::configuration:
            return ours &&
                   (v == errc::invalid_argument || v == errc::invalid_url ||
                    v == errc::missing_configuration || v == errc::client_secret_invalid ||
                    v == errc::client_secret_expired || v == errc::client_secret_missing ||
                    v == errc::public_client_sent_secret || v == errc::app_not_found ||
                    v == errc::app_disabled || v == errc::tenant_not_found || v == errc::wrong_cloud ||
                    v == errc::invalid_scope || v == errc::consent_required ||
                    v == errc::service_principal_not_allowed || v == errc::certificate_untrusted ||
                    v == errc::certificate_name_mismatch || v == errc::proxy_auth_required);
        }
        return false;
    }
};

} // namespace detail

PBI_DECL const std::error_category& error_category() noexcept {
    static const detail::pbi_error_category instance;
    return instance;
}

PBI_DECL const char* to_string(errc e) noexcept {
    switch (e) {
    case errc::invalid_argument:
        return "invalid_argument";
    case errc::invalid_url:
        return "invalid_url";
    case errc::missing_configuration:
        return "missing_configuration";
    case errc::timeout:
        return "timeout";
    case errc::connection_closed:
        return "connection_closed";
    case errc::tls_handshake_failed:
        return "tls_handshake_failed";
    case errc::certificate_untrusted:
        return "certificate_untrusted";
    case errc::certificate_name_mismatch:
        return "certificate_name_mismatch";
    case errc::certificate_expired:
        return "certificate_expired";
    case errc::redirect_refused:
        return "redirect_refused";
    case errc::bad_status_line:
        return "bad_status_line";
    case errc::bad_header:
        return "bad_header";
    case errc::header_limit_exceeded:
        return "header_limit_exceeded";
    case errc::body_limit_exceeded:
        return "body_limit_exceeded";
    case errc::bad_content_length:
        return "bad_content_length";
    case errc::bad_transfer_encoding:
        return "bad_transfer_encoding";
    case errc::bad_chunk:
        return "bad_chunk";
    case errc::partial_message:
        return "partial_message";
    case errc::malformed_json:
        return "malformed_json";
    case errc::unexpected_json:
        return "unexpected_json";
    case errc::unexpected_content_type:
        return "unexpected_content_type";
    case errc::unexpected_status:
        return "unexpected_status";
    case errc::invalid_credentials:
        return "invalid_credentials";
    case errc::federated_account:
        return "federated_account";
    case errc::mfa_required:
        return "mfa_required";
    case errc::account_locked:
        return "account_locked";
    case errc::account_disabled:
        return "account_disabled";
    case errc::password_expired:
        return "password_expired";
    case errc::user_not_found:
        return "user_not_found";
    case errc::user_not_assigned:
        return "user_not_assigned";
    case errc::consent_required:
        return "consent_required";
    case errc::conditional_access_blocked:
        return "conditional_access_blocked";
    case errc::client_secret_invalid:
        return "client_secret_invalid";
    case errc::client_secret_expired:
        return "client_secret_expired";
    case errc::client_secret_missing:
        return "client_secret_missing";
    case errc::public_client_sent_secret:
        return "public_client_sent_secret";
    case errc::app_not_found:
        return "app_not_found";
    case errc::app_disabled:
        return "app_disabled";
    case errc::tenant_not_found:
        return "tenant_not_found";
    case errc::wrong_cloud:
        return "wrong_cloud";
    case errc::invalid_scope:
        return "invalid_scope";
    case errc::malformed_token_request:
        return "malformed_token_request";
    case errc::refresh_token_expired:
        return "refresh_token_expired";
    case errc::clock_skew:
        return "clock_skew";
    case errc::request_loop_throttled:
        return "request_loop_throttled";
    case errc::sign_in_failed:
        return "sign_in_failed";
    case errc::token_expired:
        return "token_expired";
    case errc::not_authorized:
        return "not_authorized";
    case errc::service_principal_not_allowed:
        return "service_principal_not_allowed";
    case errc::not_workspace_member:
        return "not_workspace_member";
    case errc::entity_not_found:
        return "entity_not_found";
    case errc::bad_request:
        return "bad_request";
    case errc::throttled:
        return "throttled";
    case errc::server_error:
        return "server_error";
    case errc::powerbi_error:
        return "powerbi_error";
    case errc::proxy_auth_required:
        return "proxy_auth_required";
    case errc::proxy_refused:
        return "proxy_refused";
    case errc::proxy_protocol_error:
        return "proxy_protocol_error";
    case errc::effective_identity_required:
        return "effective_identity_required";
    case errc::effective_identity_not_allowed:
        return "effective_identity_not_allowed";
    case errc::export_format_not_supported:
        return "export_format_not_supported";
    case errc::export_failed:
        return "export_failed";
    }
    return "unknown";
}

PBI_DECL std::string error_name(std::error_code ec) {
    if (ec.category() == error_category())
        return to_string(static_cast<errc>(ec.value()));
    // Asio reports OS errors in its own categories: compare with its enumerators, which map to
    // each platform's own numbers.
    struct named {
        std::error_code code;
        const char* name;
    };
    static const named network_errors[] = {
        {asio::error::connection_refused, "connection_refused"},
        {asio::error::connection_reset, "connection_reset"},
        {asio::error::connection_aborted, "connection_aborted"},
        {asio::error::timed_out, "timed_out"},
        {asio::error::network_unreachable, "network_unreachable"},
        {asio::error::host_unreachable, "host_unreachable"},
        {asio::error::network_down, "network_down"},
        {asio::error::broken_pipe, "broken_pipe"},
        {asio::error::eof, "eof"},
        {asio::error::host_not_found, "host_not_found"},
        {asio::error::host_not_found_try_again, "host_not_found_try_again"},
        {asio::error::address_in_use, "address_in_use"},
        {asio::error::operation_aborted, "operation_aborted"},
    };
    for (const auto& n : network_errors)
        if (ec == n.code)
            return n.name;
    return std::string(ec.category().name()) + ":" + std::to_string(ec.value());
}

PBI_DECL const std::error_category& condition_category() noexcept {
    static const detail::pbi_condition_category instance;
    return instance;
}

} // namespace pbi
