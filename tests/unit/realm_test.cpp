#include <pbi/entra/realm.hpp>

#include <catch2/catch.hpp>

using namespace pbi::entra;

TEST_CASE("realm discovery path percent-encodes the user name") {
    CHECK(user_realm_path("signage@contoso.com") ==
          "/common/userrealm/signage%40contoso.com?api-version=1.0");
    CHECK(user_realm_path("a b/c+d") == "/common/userrealm/a%20b%2Fc%2Bd?api-version=1.0");
}

TEST_CASE("a managed account is recognised") {
    user_realm r;
    REQUIRE_FALSE(parse_user_realm(
        R"({"ver":"1.0","account_type":"Managed","domain_name":"contoso.onmicrosoft.com",)"
        R"("cloud_instance_name":"microsoftonline.com","cloud_audience_urn":"urn:federation:MicrosoftOnline"})",
        r));
    CHECK(r.account_type == user_realm::kind::managed);
    CHECK(r.domain_name == "contoso.onmicrosoft.com");
    CHECK(r.cloud_instance_name == "microsoftonline.com");
    CHECK(r.federation_protocol.empty());
    CHECK(std::string(to_string(r.account_type)) == "managed");
}

TEST_CASE("a federated account keeps its ADFS endpoints") {
    user_realm r;
    REQUIRE_FALSE(parse_user_realm(
        R"({"ver":"1.0","account_type":"Federated","domain_name":"contoso.com",)"
        R"("federation_protocol":"WSTrust",)"
        R"("federation_metadata_url":"https://fs.contoso.com/adfs/services/trust/mex",)"
        R"("federation_active_auth_url":"https://fs.contoso.com/adfs/services/trust/2005/usernamemixed",)"
        R"("cloud_instance_name":"microsoftonline.com","federation_global_version":-1})",
        r));
    CHECK(r.account_type == user_realm::kind::federated);
    CHECK(r.federation_protocol == "WSTrust");
    CHECK(r.federation_metadata_url == "https://fs.contoso.com/adfs/services/trust/mex");
    CHECK(r.federation_active_auth_url == "https://fs.contoso.com/adfs/services/trust/2005/usernamemixed");
}

TEST_CASE("an unknown account type is unknown") {
    user_realm r;
    REQUIRE_FALSE(
        parse_user_realm(R"({"ver":"1.0","account_type":"Unknown","cloud_instance_name":null})", r));
    CHECK(r.account_type == user_realm::kind::unknown);
    REQUIRE_FALSE(parse_user_realm(R"({"account_type":"SomethingNew"})", r));
    CHECK(r.account_type == user_realm::kind::unknown);
}

TEST_CASE("the api-version 2.0 PascalCase answer is tolerated") {
    user_realm r;
    REQUIRE_FALSE(parse_user_realm(
        R"({"State":3,"UserState":2,"Login":"user@contoso.com","NameSpaceType":"Federated",)"
        R"("DomainName":"contoso.com","FederationProtocol":"WSTrust","CloudInstanceName":"microsoftonline.com",)"
        R"("AuthURL":"https://fs.contoso.com/adfs/ls/?username=user%40contoso.com"})",
        r));
    CHECK(r.account_type == user_realm::kind::federated);
    CHECK(r.domain_name == "contoso.com");
    CHECK(r.federation_protocol == "WSTrust");
    CHECK(r.auth_url == "https://fs.contoso.com/adfs/ls/?username=user%40contoso.com");
    REQUIRE_FALSE(parse_user_realm(R"({"NameSpaceType":"managed","DomainName":"x.onmicrosoft.com"})", r));
    CHECK(r.account_type == user_realm::kind::managed);
}

TEST_CASE("realm answers that are not a realm are errors") {
    user_realm r;
    CHECK(parse_user_realm("", r) == pbi::errc::malformed_json);
    CHECK(parse_user_realm(R"({"account_type":"Managed")", r) == pbi::errc::malformed_json);
    CHECK(parse_user_realm("<html><body>proxy</body></html>", r) == pbi::errc::unexpected_content_type);
    CHECK(parse_user_realm(R"({"ver":"1.0"})", r) == pbi::errc::unexpected_json);
    CHECK(parse_user_realm(R"({"account_type":5})", r) == pbi::errc::unexpected_json);
    CHECK(parse_user_realm(R"({"account_type":"Managed","domain_name":[]})", r) ==
          pbi::errc::unexpected_json);
    CHECK(parse_user_realm(R"([1,2])", r) == pbi::errc::unexpected_json);
}

TEST_CASE("the federated-account hint names the domain and the three ways out, claiming none as built in") {
    user_realm r;
    r.account_type = user_realm::kind::federated;
    r.domain_name = "contoso.com";
    r.federation_active_auth_url = "https://fs.contoso.com/adfs/services/trust/2005/usernamemixed";
    auto h = federated_account_hint(r);
    CHECK(h.find("contoso.com is federated") != std::string::npos);
    CHECK(h.find("https://fs.contoso.com/adfs/") != std::string::npos);
    CHECK(h.find("onmicrosoft.com") != std::string::npos);
    CHECK(h.find("service principal") != std::string::npos);
    CHECK(h.find("federated sign-in") != std::string::npos);
    CHECK(h.find("does not offer") != std::string::npos);
    user_realm bare;
    bare.account_type = user_realm::kind::federated;
    CHECK(federated_account_hint(bare).find("this account's domain is federated") != std::string::npos);
}
