// Bodies for pbi/entra/credential.hpp.
#pragma once

#include <pbi/entra/credential.hpp>

#include <pbi/detail/response_body.hpp>

#include <string_view>

namespace pbi::entra {
namespace detail::credential_checks {

inline bool has_outer_space(std::string_view s) noexcept {
    return !s.empty() && (pbi::detail::body::is_space(s.front()) || pbi::detail::body::is_space(s.back()));
}

inline std::error_code credential_problem(errc e, std::string message, std::string hint, diagnostics& diag) {
    diag.source = failure_source::none;
    diag.message = std::move(message);
    diag.hint = std::move(hint);
    return e;
}

inline std::error_code check_app(const std::string& tenant, const std::string& client_id, diagnostics& diag) {
    if (tenant.empty())
        return credential_problem(errc::missing_configuration, "the credential has no tenant id",
                                  "set the tenant id (a GUID or a domain such as contoso.onmicrosoft.com)",
                                  diag);
    if (has_outer_space(tenant))
        return credential_problem(errc::invalid_argument, "the tenant id starts or ends with white space",
                                  "remove the spaces around the tenant id", diag);
    if (client_id.empty())
        return credential_problem(errc::missing_configuration, "the credential has no client id",
                                  "set the application (client) id of the app registration", diag);
    if (has_outer_space(client_id))
        return credential_problem(errc::invalid_argument, "the client id starts or ends with white space",
                                  "remove the spaces around the client id", diag);
    return {};
}

} // namespace detail::credential_checks

PBI_DECL const std::string& tenant_of(const credential& c) noexcept {
    return std::visit([](const auto& v) -> const std::string& { return v.tenant_id; }, c);
}

PBI_DECL const std::string& client_id_of(const credential& c) noexcept {
    return std::visit([](const auto& v) -> const std::string& { return v.client_id; }, c);
}

PBI_DECL const secret& client_secret_of(const credential& c) noexcept {
    return std::visit([](const auto& v) -> const secret& { return v.client_secret; }, c);
}

PBI_DECL std::error_code validate(const credential& c, diagnostics& diag) {
    if (const auto* r = std::get_if<ropc_credential>(&c)) {
        if (auto ec = detail::credential_checks::check_app(r->tenant_id, r->client_id, diag))
            return ec;
        if (pbi::detail::body::iequals(r->tenant_id, "common") ||
            pbi::detail::body::iequals(r->tenant_id, "consumers"))
            return detail::credential_checks::credential_problem(
                errc::invalid_argument,
                "the password grant cannot sign in to the tenant \"" + r->tenant_id + "\"",
                "use the tenant's id or domain (or \"organizations\")", diag);
        if (r->username.empty())
            return detail::credential_checks::credential_problem(
                errc::missing_configuration, "the credential has no user name",
                "set the user principal name, e.g. user@contoso.onmicrosoft.com", diag);
        if (r->password.empty())
            return detail::credential_checks::credential_problem(errc::missing_configuration,
                                                                 "the credential has no password",
                                                                 "set the user's password", diag);
        if (detail::credential_checks::has_outer_space(r->password.reveal()))
            return detail::credential_checks::credential_problem(
                errc::invalid_argument, "the password starts or ends with white space",
                "the password grant does not support such passwords: change the password, or use a service "
                "principal (client credentials)",
                diag);
        return {};
    }
    const auto& s = std::get<client_secret_credential>(c);
    if (auto ec = detail::credential_checks::check_app(s.tenant_id, s.client_id, diag))
        return ec;
    if (s.client_secret.empty())
        return detail::credential_checks::credential_problem(
            errc::missing_configuration, "the credential has no client secret",
            "set the client secret's Value (not its Secret ID)", diag);
    return {};
}

PBI_DECL std::error_code validate(const credential& c) {
    diagnostics ignored;
    return validate(c, ignored);
}

PBI_DECL std::ostream& operator<<(std::ostream& os, const ropc_credential& c) {
    return os << "ropc_credential{tenant_id=" << c.tenant_id << ", client_id=" << c.client_id
              << ", client_secret=" << c.client_secret << ", username=" << c.username
              << ", password=" << c.password << '}';
}

PBI_DECL std::ostream& operator<<(std::ostream& os, const client_secret_credential& c) {
    return os << "client_secret_credential{tenant_id=" << c.tenant_id << ", client_id=" << c.client_id
              << ", client_secret=" << c.client_secret << '}';
}

PBI_DECL std::ostream& operator<<(std::ostream& os, const credential& c) {
    std::visit([&os](const auto& v) { os << v; }, c);
    return os;
}

} // namespace pbi::entra
