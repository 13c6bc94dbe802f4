// Bodies for pbi/entra/openid_configuration.hpp.
#pragma once

#include <pbi/entra/openid_configuration.hpp>

#include <pbi/detail/response_body.hpp>
#include <pbi/http/encoding.hpp>

#include <boost/json.hpp>

#include <optional>

namespace pbi::entra {

PBI_DECL std::string openid_configuration_path(std::string_view tenant) {
    return "/" + http::encode_path_segment(tenant) + "/v2.0/.well-known/openid-configuration";
}

PBI_DECL std::error_code parse_openid_configuration(std::string_view text, openid_configuration& out) {
    namespace body = pbi::detail::body;
    boost::json::object o;
    if (auto ec = body::parse_object(text, std::nullopt, o))
        return ec;

    openid_configuration c;
    struct field_ref {
        std::string_view key;
        std::string* value;
        bool required;
    };
    const field_ref fields[] = {
        {"issuer", &c.issuer, true},
        {"token_endpoint", &c.token_endpoint, true},
        {"authorization_endpoint", &c.authorization_endpoint, false},
        {"device_authorization_endpoint", &c.device_authorization_endpoint, false},
        {"cloud_instance_name", &c.cloud_instance_name, false},
        {"tenant_region_scope", &c.tenant_region_scope, false},
    };
    for (const auto& f : fields) {
        switch (body::get_string(o, f.key, *f.value)) {
        case body::field::wrong_type:
            return errc::unexpected_json;
        case body::field::absent:
            if (f.required)
                return errc::unexpected_json;
            break;
        case body::field::ok:
            break;
        }
    }
    if (c.issuer.empty() || c.token_endpoint.empty())
        return errc::unexpected_json;

    // "https://host/{tenant id}/v2.0" → the tenant id; a multi-tenant issuer says "{tenantid}".
    std::string_view rest = c.issuer;
    if (auto scheme = rest.find("://"); scheme != std::string_view::npos) {
        rest.remove_prefix(scheme + 3);
        if (auto slash = rest.find('/'); slash != std::string_view::npos) {
            rest.remove_prefix(slash + 1);
            auto segment = rest.substr(0, rest.find('/'));
            if (!segment.empty() && segment.find('{') == std::string_view::npos)
                c.tenant_id = std::string(segment);
        }
    }
    out = std::move(c);
    return {};
}

} // namespace pbi::entra
