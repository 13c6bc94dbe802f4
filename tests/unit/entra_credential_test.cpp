#include <pbi/entra/access_token.hpp>
#include <pbi/entra/credential.hpp>

#include <catch2/catch.hpp>

#include <sstream>
#include <string>

using namespace pbi::entra;

namespace {

ropc_credential good_ropc() {
    ropc_credential c;
    c.tenant_id = "contoso.onmicrosoft.com";
    c.client_id = "11111111-2222-3333-4444-555555555555";
    c.username = "signage@contoso.onmicrosoft.com";
    c.password = pbi::secret{std::string("p&ss+w%rd =x")};
    return c;
}

client_secret_credential good_sp() {
    client_secret_credential c;
    c.tenant_id = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    c.client_id = "11111111-2222-3333-4444-555555555555";
    c.client_secret = pbi::secret{std::string("Sec~ret.Value_123")};
    return c;
}

template <class T>
std::string printed(const T& v) {
    std::ostringstream os;
    os << v;
    return os.str();
}

} // namespace

TEST_CASE("tenant_of and client_id_of read either credential") {
    credential a = good_ropc();
    credential b = good_sp();
    CHECK(tenant_of(a) == "contoso.onmicrosoft.com");
    CHECK(tenant_of(b) == "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    CHECK(client_id_of(a) == "11111111-2222-3333-4444-555555555555");
    CHECK(client_id_of(b) == "11111111-2222-3333-4444-555555555555");
    CHECK(client_secret_of(a).empty());
    CHECK(client_secret_of(b).reveal() == "Sec~ret.Value_123");
}

TEST_CASE("printing a credential shows tenant, client id and user name but masks every secret") {
    auto r = good_ropc();
    r.client_secret = pbi::secret{std::string("confidential-app-secret")};
    auto text = printed(credential{r});
    CHECK(text.find("contoso.onmicrosoft.com") != std::string::npos);
    CHECK(text.find("11111111-2222-3333-4444-555555555555") != std::string::npos);
    CHECK(text.find("signage@contoso.onmicrosoft.com") != std::string::npos);
    CHECK(text.find("p&ss") == std::string::npos);
    CHECK(text.find("confidential-app-secret") == std::string::npos);
    CHECK(text.find("********") != std::string::npos);

    auto sp = printed(good_sp());
    CHECK(sp.find("Sec~ret") == std::string::npos);
    CHECK(sp.find("aaaaaaaa-bbbb") != std::string::npos);
    CHECK(printed(credential{good_sp()}) == sp);
}

TEST_CASE("valid credentials pass validation") {
    CHECK_FALSE(validate(credential{good_ropc()}));
    CHECK_FALSE(validate(credential{good_sp()}));
    auto orgs = good_ropc();
    orgs.tenant_id = "organizations";
    CHECK_FALSE(validate(credential{orgs}));
}

TEST_CASE("missing tenant, client id, user name, password or secret is a configuration error") {
    auto r = good_ropc();
    r.tenant_id.clear();
    CHECK(validate(credential{r}) == pbi::errc::missing_configuration);
    r = good_ropc();
    r.client_id.clear();
    CHECK(validate(credential{r}) == pbi::errc::missing_configuration);
    r = good_ropc();
    r.username.clear();
    CHECK(validate(credential{r}) == pbi::errc::missing_configuration);
    r = good_ropc();
    r.password = pbi::secret{};
    CHECK(validate(credential{r}) == pbi::errc::missing_configuration);
    auto s = good_sp();
    s.client_secret = pbi::secret{};
    CHECK(validate(credential{s}) == pbi::errc::missing_configuration);
    s = good_sp();
    s.tenant_id.clear();
    CHECK(validate(credential{s}) == pbi::errc::missing_configuration);
    CHECK(validate(credential{s}) == pbi::condition::configuration);
}

TEST_CASE("ROPC refuses the common and consumers tenants") {
    for (const char* t : {"common", "consumers", "Common", "CONSUMERS"}) {
        auto r = good_ropc();
        r.tenant_id = t;
        CHECK(validate(credential{r}) == pbi::errc::invalid_argument);
    }
}

TEST_CASE(
    "ROPC refuses passwords with leading or trailing spaces, and the message does not show the password") {
    for (const char* p : {" secret", "secret ", "\tsecret"}) {
        auto r = good_ropc();
        r.password = pbi::secret{std::string(p)};
        pbi::diagnostics diag;
        CHECK(validate(credential{r}, diag) == pbi::errc::invalid_argument);
        CHECK_FALSE(diag.message.empty());
        CHECK_FALSE(diag.hint.empty());
        CHECK(printed(diag).find("secret") == std::string::npos);
    }
    auto inner = good_ropc();
    inner.password = pbi::secret{std::string("pass word")};
    CHECK_FALSE(validate(credential{inner}));
}

TEST_CASE("ids with surrounding white space are rejected as a copy-and-paste slip") {
    auto r = good_ropc();
    r.client_id += " ";
    CHECK(validate(credential{r}) == pbi::errc::invalid_argument);
    auto s = good_sp();
    s.tenant_id = " " + s.tenant_id;
    CHECK(validate(credential{s}) == pbi::errc::invalid_argument);
}

TEST_CASE("printing an access token shows type, length, scope and lifetime but never the tokens") {
    access_token t;
    t.token = pbi::secret{std::string("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.payload.signature")};
    t.refresh_token = pbi::secret{std::string("1.AXrefresh")};
    t.scope = "https://analysis.windows.net/powerbi/api/Report.Read.All";
    t.lifetime = std::chrono::seconds{4435};
    auto text = printed(t);
    CHECK(text.find("eyJ") == std::string::npos);
    CHECK(text.find("1.AX") == std::string::npos);
    CHECK(text.find("Bearer") != std::string::npos);
    CHECK(text.find("Report.Read.All") != std::string::npos);
    CHECK(text.find("4435") != std::string::npos);
    CHECK(text.find(std::to_string(t.token.size())) != std::string::npos);
    CHECK(t.authorization_value() == "Bearer " + t.token.reveal());
}
