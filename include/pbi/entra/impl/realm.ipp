// Bodies for pbi/entra/realm.hpp.
#pragma once

#include <pbi/entra/realm.hpp>

#include <pbi/detail/response_body.hpp>
#include <pbi/http/encoding.hpp>

#include <boost/json.hpp>

#include <optional>

namespace pbi::entra {

PBI_DECL const char* to_string(user_realm::kind k) noexcept {
    switch (k) {
    case user_realm::kind::managed:
        return "managed";
    case user_realm::kind::federated:
        return "federated";
    case user_realm::kind::unknown:
        return "unknown";
    }
    return "unknown";
}

PBI_DECL std::string federated_account_hint(const user_realm& realm) {
    std::string h = "realm discovery shows that ";
    h += realm.domain_name.empty() ? "this account's domain" : "the domain " + realm.domain_name;
    h += " is federated";
    if (!realm.federation_active_auth_url.empty())
        h += " (it signs in at " + realm.federation_active_auth_url + ")";
    else if (!realm.federation_protocol.empty())
        h += " (" + realm.federation_protocol + ")";
    h += ", and the password grant cannot sign in a federated account. Use an account in the tenant's "
         "onmicrosoft.com domain (a cloud-only account), or a service principal (client credentials); "
         "federated sign-in (WS-Trust or a SAML bearer grant) is an Entra option this SDK does not offer "
         "yet. Do not retry: repeated failures can lock the account";
    return h;
}

PBI_DECL std::string user_realm_path(std::string_view upn) {
    return "/common/userrealm/" + http::encode_path_segment(upn) + "?api-version=1.0";
}

PBI_DECL std::error_code parse_user_realm(std::string_view text, user_realm& out) {
    namespace body = pbi::detail::body;
    boost::json::object o;
    if (auto ec = body::parse_object(text, std::nullopt, o))
        return ec;

    // The first key present wins: api-version 1.0 snake_case, then 2.0 PascalCase.
    auto read = [&o](std::initializer_list<std::string_view> keys, std::string& value) {
        for (auto key : keys) {
            auto f = body::get_string(o, key, value);
            if (f != body::field::absent)
                return f != body::field::wrong_type;
        }
        return true;
    };

    user_realm r;
    std::string type;
    bool has_type = false;
    for (std::string_view key : {"account_type", "NameSpaceType"}) {
        auto f = body::get_string(o, key, type);
        if (f == body::field::wrong_type)
            return errc::unexpected_json;
        if (f == body::field::ok) {
            has_type = true;
            break;
        }
    }
    if (!has_type)
        return errc::unexpected_json;
    if (body::iequals(type, "managed"))
        r.account_type = user_realm::kind::managed;
    else if (body::iequals(type, "federated"))
        r.account_type = user_realm::kind::federated;
    else
        r.account_type = user_realm::kind::unknown;

    if (!read({"domain_name", "DomainName"}, r.domain_name) ||
        !read({"cloud_instance_name", "CloudInstanceName"}, r.cloud_instance_name) ||
        !read({"federation_protocol", "FederationProtocol"}, r.federation_protocol) ||
        !read({"federation_metadata_url", "FederationMetadataUrl", "MetadataURL"},
              r.federation_metadata_url) ||
        !read({"federation_active_auth_url", "FederationActiveAuthUrl"}, r.federation_active_auth_url) ||
        !read({"AuthURL", "auth_url"}, r.auth_url))
        return errc::unexpected_json;

    out = std::move(r);
    return {};
}

} // namespace pbi::entra
