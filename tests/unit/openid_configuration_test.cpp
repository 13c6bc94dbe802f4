// The OpenID configuration document, sans-io: path and parser.
#include <pbi/entra/openid_configuration.hpp>

#include <catch2/catch.hpp>

using namespace pbi::entra;

TEST_CASE("the OpenID configuration path encodes the tenant as one segment") {
    CHECK(openid_configuration_path("contoso.onmicrosoft.com") ==
          "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration");
    CHECK(openid_configuration_path("a/b") == "/a%2Fb/v2.0/.well-known/openid-configuration");
}

TEST_CASE("a tenant's OpenID configuration gives its id, cloud, region and endpoints") {
    openid_configuration c;
    REQUIRE_FALSE(parse_openid_configuration(
        R"({"token_endpoint":"https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/oauth2/v2.0/token",)"
        R"("issuer":"https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0",)"
        R"("authorization_endpoint":"https://login.microsoftonline.com/x/oauth2/v2.0/authorize",)"
        R"("device_authorization_endpoint":"https://login.microsoftonline.com/x/oauth2/v2.0/devicecode",)"
        R"("tenant_region_scope":"EU","cloud_instance_name":"microsoftonline.com","unknown":[1,2]})",
        c));
    CHECK(c.tenant_id == "11111111-2222-3333-4444-555555555555");
    CHECK(c.cloud_instance_name == "microsoftonline.com");
    CHECK(c.tenant_region_scope == "EU");
    CHECK(c.token_endpoint.find("/oauth2/v2.0/token") != std::string::npos);
    CHECK(c.device_authorization_endpoint.find("devicecode") != std::string::npos);
}

TEST_CASE("a multi-tenant issuer and a null region are accepted") {
    openid_configuration c;
    REQUIRE_FALSE(parse_openid_configuration(
        R"({"token_endpoint":"https://login.microsoftonline.com/organizations/oauth2/v2.0/token",)"
        R"("issuer":"https://login.microsoftonline.com/{tenantid}/v2.0","tenant_region_scope":null})",
        c));
    CHECK(c.tenant_id.empty());
    CHECK(c.tenant_region_scope.empty());
}

TEST_CASE("OpenID configuration answers that are not one are errors") {
    openid_configuration c;
    CHECK(parse_openid_configuration("<html>sign in</html>", c) == pbi::errc::unexpected_content_type);
    CHECK(parse_openid_configuration(R"({"issuer":)", c) == pbi::errc::malformed_json);
    CHECK(parse_openid_configuration(R"({"issuer":"https://x/t/v2.0"})", c) == pbi::errc::unexpected_json);
    CHECK(parse_openid_configuration(R"({"issuer":"https://x/t/v2.0","token_endpoint":5})", c) ==
          pbi::errc::unexpected_json);
    CHECK(parse_openid_configuration("[]", c) == pbi::errc::unexpected_json);
}
