// The emulator speaks the documented wire formats: driven here by a tiny blocking TLS client
// (no SDK code), so a regression in the emulator cannot hide behind one in the client.
#include <pbi/http/encoding.hpp>
#include <pbi/testing/emulator.hpp>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/read_until.hpp>
#include <asio/ssl.hpp>
#include <asio/write.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
namespace json = boost::json;
using pbi::testing::emulator;
using pbi::testing::emulator_options;
using pbi::testing::fault;

namespace {

struct raw_response {
    int status = 0;
    std::map<std::string, std::string> headers; // names lower-cased
    std::string body;
    json::value json() const { return json::parse(body); }
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

/// One blocking TLS connection that verifies the emulator's certificate against ca_pem().
class raw_client {
public:
    explicit raw_client(const emulator& emu) : ssl_(asio::ssl::context::tls_client), stream_(io_, ssl_) {
        ssl_.add_certificate_authority(asio::buffer(emu.ca_pem()));
        stream_.set_verify_mode(asio::ssl::verify_peer);
        stream_.set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
        stream_.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), emu.port()});
        stream_.handshake(asio::ssl::stream_base::client);
    }

    void send(const std::string& method, const std::string& target, const std::string& body = {},
              const std::vector<std::string>& headers = {}) {
        std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        for (const auto& h : headers) {
            out += h + "\r\n";
        }
        send_raw(out + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    }
    void send_raw(const std::string& bytes) { asio::write(stream_, asio::buffer(bytes)); }

    /// Reads one answer framed by Content-Length (status 0 when the connection ends first).
    raw_response receive() {
        raw_response r;
        std::error_code ec;
        auto n = asio::read_until(stream_, asio::dynamic_buffer(buffer_), "\r\n\r\n", ec);
        if (ec) {
            return r;
        }
        std::string head = buffer_.substr(0, n);
        buffer_.erase(0, n);
        r.status = std::stoi(head.substr(9, 3));
        for (auto at = head.find("\r\n") + 2; at < n - 2;) {
            auto eol = head.find("\r\n", at), colon = head.find(':', at);
            std::string name = head.substr(at, colon - at);
            for (auto& ch : name) {
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            }
            r.headers[name] = head.substr(colon + 2, eol - colon - 2);
            at = eol + 2;
        }
        std::size_t length =
            std::stoul(r.header("content-length").empty() ? "0" : r.header("content-length"));
        if (buffer_.size() < length) {
            asio::read(stream_, asio::dynamic_buffer(buffer_),
                       asio::transfer_exactly(length - buffer_.size()), ec);
        }
        r.body = buffer_.substr(0, length);
        buffer_.erase(0, std::min(length, buffer_.size()));
        return r;
    }

    raw_response request(const std::string& method, const std::string& target, const std::string& body = {},
                         const std::vector<std::string>& headers = {}) {
        send(method, target, body, headers);
        return receive();
    }

    /// Reads until the connection ends; returns what arrived and the error that ended it.
    std::pair<std::string, std::error_code> read_to_end() {
        std::error_code ec;
        asio::read(stream_, asio::dynamic_buffer(buffer_), ec);
        return {std::exchange(buffer_, {}), ec};
    }

private:
    asio::io_context io_;
    asio::ssl::context ssl_;
    asio::ssl::stream<asio::ip::tcp::socket> stream_;
    std::string buffer_;
};

const std::string form_type = "Content-Type: application/x-www-form-urlencoded";
const std::string powerbi_scope = "https://analysis.windows.net/powerbi/api/.default";

std::string ropc_form(const emulator& emu, const std::string& password, const std::string& scope) {
    const auto& o = emu.options();
    return pbi::http::form_encode({{"grant_type", "password"},
                                   {"client_id", o.client_id},
                                   {"client_secret", o.client_secret},
                                   {"username", o.users.at(0).username},
                                   {"password", password},
                                   {"scope", scope}});
}

std::string v2_token_path(const emulator& emu) {
    return "/" + emu.options().tenant_id + "/oauth2/v2.0/token";
}

/// Signs in with ROPC and returns the access token.
std::string sign_in(const emulator& emu, raw_client& c) {
    auto r = c.request("POST", v2_token_path(emu),
                       ropc_form(emu, emu.options().users[0].password, powerbi_scope), {form_type});
    REQUIRE(r.status == 200);
    return std::string(r.json().at("access_token").as_string());
}

std::int64_t first_error_code(const raw_response& r) {
    return r.json().at("error_codes").at(0).as_int64();
}

} // namespace

TEST_CASE("v2 ROPC answers integers, a refresh token and the granted scopes instead of .default") {
    emulator emu;
    raw_client c(emu);
    auto r = c.request("POST", v2_token_path(emu),
                       ropc_form(emu, "emulator-password", powerbi_scope + " offline_access"), {form_type});
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type") == "application/json; charset=utf-8");
    CHECK_FALSE(r.header("date").empty());
    auto body = r.json().as_object();
    CHECK(body.at("token_type") == "Bearer");
    REQUIRE(body.at("expires_in").is_int64());
    CHECK(body.at("expires_in").as_int64() >= 3600);
    CHECK(body.at("expires_in").as_int64() <= 5400);
    CHECK(body.at("ext_expires_in").is_int64());
    std::string scope(body.at("scope").as_string());
    CHECK(scope.find(".default") == std::string::npos);
    CHECK(scope.find("https://analysis.windows.net/powerbi/api/Report.Read.All") != std::string::npos);
    CHECK_FALSE(body.at("refresh_token").as_string().empty());
    auto access = body.at("access_token").as_string();
    CHECK(access.size() >= 1500);
    CHECK(access.size() <= 2560);
    CHECK(std::count(access.begin(), access.end(), '.') == 2);
    CHECK(emu.request_count("token") == 1);
}

TEST_CASE("v1 answers carry every number as a string, plus expires_on and resource") {
    emulator emu;
    raw_client c(emu);
    const auto& o = emu.options();
    auto form = pbi::http::form_encode({{"grant_type", "password"},
                                        {"client_id", o.client_id},
                                        {"client_secret", o.client_secret},
                                        {"username", o.users[0].username},
                                        {"password", o.users[0].password},
                                        {"resource", "https://analysis.windows.net/powerbi/api"}});
    auto r = c.request("POST", "/" + o.tenant_domain + "/oauth2/token", form, {form_type});
    REQUIRE(r.status == 200);
    auto body = r.json().as_object();
    for (const char* key : {"expires_in", "ext_expires_in", "expires_on", "not_before"}) {
        INFO(key);
        CHECK(body.at(key).is_string());
    }
    CHECK(body.at("resource") == "https://analysis.windows.net/powerbi/api");
    CHECK(body.contains("refresh_token"));
    CHECK(emu.request_count("token_v1") == 1);
}

TEST_CASE("a wrong password, a federated account, MFA and lockout answer their AADSTS codes") {
    emulator_options eo;
    eo.users.push_back({"adfs@contoso.com", "right", false, true});
    eo.users.push_back({"mfa@contoso.onmicrosoft.com", "right", true});
    eo.users.push_back({"locked@contoso.onmicrosoft.com", "right", false, false, true});
    emulator emu(eo);
    raw_client c(emu);
    auto r = c.request("POST", v2_token_path(emu), ropc_form(emu, "wrong", powerbi_scope),
                       {form_type, "client-request-id: 0f0f0f0f-1111-2222-3333-444444444444"});
    CHECK(r.status == 400);
    CHECK(r.json().at("error") == "invalid_grant");
    CHECK(first_error_code(r) == 50126);
    std::string description(r.json().at("error_description").as_string());
    CHECK(description.rfind("AADSTS50126: ", 0) == 0);
    CHECK(description.find("\r\nTrace ID: ") != std::string::npos);
    CHECK(r.json().at("correlation_id") == "0f0f0f0f-1111-2222-3333-444444444444");

    auto user_form = [&](const std::string& user) {
        return pbi::http::form_encode({{"grant_type", "password"},
                                       {"client_id", eo.client_id},
                                       {"client_secret", eo.client_secret},
                                       {"username", user},
                                       {"password", "right"},
                                       {"scope", powerbi_scope}});
    };
    CHECK(first_error_code(
              c.request("POST", v2_token_path(emu), user_form("adfs@contoso.com"), {form_type})) == 50126);
    auto mfa = c.request("POST", v2_token_path(emu), user_form("mfa@contoso.onmicrosoft.com"), {form_type});
    CHECK(first_error_code(mfa) == 50076);
    CHECK(mfa.json().at("suberror") == "basic_action");
    CHECK(first_error_code(c.request("POST", v2_token_path(emu), user_form("locked@contoso.onmicrosoft.com"),
                                     {form_type})) == 50053);
}

TEST_CASE("a form content type with a charset parameter is accepted") {
    emulator emu;
    raw_client c(emu);
    auto r = c.request("POST", v2_token_path(emu), ropc_form(emu, "emulator-password", powerbi_scope),
                       {"Content-Type: application/x-www-form-urlencoded; charset=UTF-8"});
    CHECK(r.status == 200);
}

TEST_CASE("a JSON body is AADSTS900144") {
    emulator emu;
    raw_client c(emu);
    auto r = c.request("POST", v2_token_path(emu), R"({"grant_type":"password"})",
                       {"Content-Type: application/json"});
    CHECK(r.status == 400);
    CHECK(r.json().at("error") == "invalid_request");
    CHECK(first_error_code(r) == 900144);
}

TEST_CASE("client credentials get no refresh token, and a scope without /.default is AADSTS1002012") {
    emulator emu;
    raw_client c(emu);
    const auto& o = emu.options();
    auto form = [&](const std::string& scope) {
        return pbi::http::form_encode({{"grant_type", "client_credentials"},
                                       {"client_id", o.client_id},
                                       {"client_secret", o.client_secret},
                                       {"scope", scope}});
    };
    auto ok = c.request("POST", v2_token_path(emu), form(powerbi_scope), {form_type});
    REQUIRE(ok.status == 200);
    CHECK_FALSE(ok.json().as_object().contains("refresh_token"));
    CHECK_FALSE(ok.json().as_object().contains("scope"));
    auto bad = c.request("POST", v2_token_path(emu),
                         form("https://analysis.windows.net/powerbi/api/Report.Read.All"), {form_type});
    CHECK(bad.json().at("error") == "invalid_scope");
    CHECK(first_error_code(bad) == 1002012);
    auto graph =
        c.request("POST", v2_token_path(emu), form("https://graph.microsoft.com/.default"), {form_type});
    CHECK(first_error_code(graph) == 500011);
}

TEST_CASE("Power BI without a bearer token answers 401 with a RequestId") {
    emulator emu;
    raw_client c(emu);
    auto r = c.request("GET", "/v1.0/myorg/groups");
    CHECK(r.status == 401);
    CHECK(r.json().at("error").at("code") == "PowerBINotAuthorizedException");
    CHECK(r.header("requestid").size() == 36);
}

TEST_CASE("after expire_all_tokens a Power BI call answers 403 TokenExpired") {
    emulator emu;
    raw_client c(emu);
    std::string bearer = "Authorization: Bearer " + sign_in(emu, c);
    CHECK(c.request("GET", "/v1.0/myorg/groups", {}, {bearer}).status == 200);
    emu.expire_all_tokens();
    auto r = c.request("GET", "/v1.0/myorg/groups", {}, {bearer});
    CHECK(r.status == 403);
    CHECK(r.json().at("error").at("code") == "TokenExpired");
    CHECK(r.header("x-powerbi-error-info") == "TokenExpired");
    CHECK(c.request("GET", "/v1.0/myorg/groups", {}, {"Authorization: Bearer " + sign_in(emu, c)}).status ==
          200);
}

TEST_CASE("groups are paged with $top and $skip and filtered by an encoded name") {
    emulator emu;
    emu.add_workspace({"00000000-0000-0000-0000-00000000000f", "O'Brien & Sons", {}});
    raw_client c(emu);
    std::string bearer = "Authorization: Bearer " + sign_in(emu, c);
    auto names = [&](const std::string& query) {
        std::vector<std::string> out;
        auto r = c.request("GET", "/v1.0/myorg/groups" + query, {}, {bearer});
        REQUIRE(r.status == 200);
        auto body = r.json();
        CHECK(body.as_object().contains("@odata.context"));
        for (const auto& v : body.at("value").as_array()) {
            out.emplace_back(v.at("name").as_string());
        }
        return out;
    };
    CHECK(names("?%24top=2") == std::vector<std::string>{"Lobby Screens", "Sales Floor"});
    CHECK(names("?$top=2&$skip=2") == std::vector<std::string>{"Finance", "O'Brien & Sons"});
    CHECK(names("?%24top=2&%24skip=4").empty());
    CHECK(names("?%24filter=" + pbi::http::encode_query_value("name eq 'O''Brien & Sons'")) ==
          std::vector<std::string>{"O'Brien & Sons"});
    CHECK(emu.request_count("groups") == 4);
}

TEST_CASE("reports, pages and datasets come from the seed; ids compare case-insensitively") {
    emulator emu;
    raw_client c(emu);
    std::string bearer = "Authorization: Bearer " + sign_in(emu, c);
    std::string group = std::string("/v1.0/myorg/groups/") + pbi::testing::seed::finance_workspace;
    auto reports = c.request("GET", group + "/reports", {}, {bearer}).json().at("value").as_array();
    REQUIRE(reports.size() == 2);
    CHECK_FALSE(reports[1].as_object().contains("datasetId")); // the paginated one
    std::string upper = pbi::testing::seed::budget_overview_report;
    for (auto& ch : upper) {
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    auto report = c.request("GET", group + "/reports/" + upper, {}, {bearer});
    REQUIRE(report.status == 200);
    std::string embed(report.json().at("embedUrl").as_string());
    CHECK(embed.find("config=") != std::string::npos);
    CHECK(embed.find("%3d") != std::string::npos);
    CHECK(c.request("GET", group + "/reports/" + upper + "/pages", {}, {bearer})
              .json()
              .at("value")
              .as_array()
              .size() == 2);
    auto missing = c.request("GET", group + "/reports/00000000-0000-0000-0000-000000000000", {}, {bearer});
    CHECK(missing.status == 404);
    CHECK(missing.json().at("error").at("code") == "PowerBIEntityNotFound");
}

TEST_CASE("GenerateToken needs identities for an RLS dataset and is capped by the Entra token") {
    emulator_options eo;
    auto fixed = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
    eo.now = [fixed] {
        return fixed;
    };
    eo.min_token_lifetime = eo.max_token_lifetime = 3600s;
    emulator emu(eo);
    raw_client c(emu);
    std::string bearer = "Authorization: Bearer " + sign_in(emu, c);
    std::string sales = std::string("/v1.0/myorg/groups/") + pbi::testing::seed::sales_floor_workspace +
                        "/reports/" + pbi::testing::seed::sales_leaderboard_report + "/GenerateToken";
    auto refused =
        c.request("POST", sales, R"({"accessLevel":"View"})", {bearer, "Content-Type: application/json"});
    CHECK(refused.status == 400);
    CHECK(refused.json().at("error").at("code") == "InvalidRequest");
    auto body = json::serialize(json::object{
        {"accessLevel", "View"},
        {"lifetimeInMinutes", 120},
        {"identities",
         json::array{json::object{{"username", "screen-7"},
                                  {"roles", json::array{"Lobby"}},
                                  {"datasets", json::array{pbi::testing::seed::sales_dataset}}}}}});
    auto ok = c.request("POST", sales, body, {bearer, "Content-Type: application/json"});
    REQUIRE(ok.status == 200);
    CHECK(ok.json().at("token").as_string().subview(0, 4) == "H4sI");
    CHECK(ok.json().at("expiration") == "2023-11-14T23:13:20Z"); // 1'700'000'000 + 3600 s, not + 120 min
    CHECK(ok.json().at("tokenId").as_string().size() == 36);
    CHECK(emu.request_count("generate_token") == 2);
}

TEST_CASE("refresh tokens rotate, and revoked ones answer invalid_grant") {
    emulator emu;
    raw_client c(emu);
    const auto& o = emu.options();
    auto first =
        c.request("POST", v2_token_path(emu),
                  ropc_form(emu, o.users[0].password, powerbi_scope + " offline_access"), {form_type});
    std::string rt(first.json().at("refresh_token").as_string());
    auto refresh = [&](const std::string& token) {
        return c.request("POST", v2_token_path(emu),
                         pbi::http::form_encode({{"grant_type", "refresh_token"},
                                                 {"client_id", o.client_id},
                                                 {"client_secret", o.client_secret},
                                                 {"refresh_token", token},
                                                 {"scope", powerbi_scope + " offline_access"}}),
                         {form_type});
    };
    auto second = refresh(rt);
    REQUIRE(second.status == 200);
    CHECK(second.json().at("refresh_token").as_string() != rt);
    emu.revoke_refresh_tokens();
    auto revoked = refresh(rt);
    CHECK(revoked.json().at("error") == "invalid_grant");
    CHECK(first_error_code(revoked) == 70043);
}

TEST_CASE("realm discovery and OpenID configuration answer for the tenant") {
    emulator_options eo;
    eo.users.push_back({"adfs@contoso.com", "x", false, true});
    emulator emu(eo);
    raw_client c(emu);
    auto realm = [&](const std::string& upn) {
        return c.request("GET",
                         "/common/userrealm/" + pbi::http::encode_path_segment(upn) + "?api-version=1.0");
    };
    CHECK(realm("signage@contoso.onmicrosoft.com").json().at("account_type") == "Managed");
    auto federated = realm("adfs@contoso.com").json();
    CHECK(federated.at("account_type") == "Federated");
    CHECK(federated.at("federation_protocol") == "WSTrust");
    CHECK(federated.at("federation_active_auth_url") ==
          "https://fs.contoso.com/adfs/services/trust/2005/usernamemixed");
    CHECK(realm("someone@fabrikam.com").json().at("account_type") == "Unknown");
    auto openid = c.request("GET", "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration");
    CHECK(openid.json().at("token_endpoint").as_string() ==
          emu.origin() + "/" + eo.tenant_id + "/oauth2/v2.0/token");
    auto unknown = c.request("GET", "/nowhere.example/v2.0/.well-known/openid-configuration");
    CHECK(unknown.status == 400);
    CHECK(unknown.json().at("error") == "invalid_tenant");
}

TEST_CASE("a fault answers 503 once, then the route answers normally; both are counted") {
    emulator emu;
    fault f;
    f.status = 503;
    f.headers = {{"Retry-After", "7"}};
    f.body = R"({"error":"temporarily_unavailable"})";
    emu.inject_fault("token", f);
    raw_client c(emu);
    auto form = ropc_form(emu, "emulator-password", powerbi_scope);
    auto first = c.request("POST", v2_token_path(emu), form, {form_type});
    CHECK(first.status == 503);
    CHECK(first.header("retry-after") == "7");
    CHECK(first.header("content-type") == "application/json; charset=utf-8");
    CHECK(c.request("POST", v2_token_path(emu), form, {form_type}).status == 200);
    CHECK(emu.request_count("token") == 2);
    CHECK(emu.request_count("groups") == 0);
}

TEST_CASE("close_mid_body cuts the normal answer and drops the connection") {
    emulator emu;
    emu.inject_fault("token", fault{fault::action::close_mid_body});
    raw_client c(emu);
    c.send("POST", v2_token_path(emu), ropc_form(emu, "emulator-password", powerbi_scope), {form_type});
    auto [bytes, ec] = c.read_to_end();
    CHECK(bytes.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    auto head = bytes.find("\r\n\r\n") + 4;
    auto length_at = bytes.find("Content-Length: ") + 16;
    CHECK(bytes.size() - head < std::stoul(bytes.substr(length_at)));
    CHECK(ec);
}

TEST_CASE("keep-alive: two requests on one connection count one connection; Connection: close ends it") {
    emulator emu;
    raw_client c(emu);
    CHECK(c.request("GET", "/common/userrealm/a%40contoso.onmicrosoft.com?api-version=1.0").status == 200);
    auto second = c.request("GET", "/common/userrealm/b%40contoso.onmicrosoft.com?api-version=2.0", {},
                            {"Connection: close"});
    CHECK(second.status == 200);
    CHECK(second.json().at("NameSpaceType") == "Managed");
    CHECK(second.header("connection") == "close");
    auto [rest, ec] = c.read_to_end();
    CHECK(rest.empty());
    CHECK(emu.connection_count() == 1);
    CHECK(emu.request_count("userrealm") == 2);
}

TEST_CASE("an oversized request body answers 413") {
    emulator_options eo;
    eo.max_body_bytes = 1000;
    emulator emu(eo);
    raw_client c(emu);
    auto r = c.request("POST", v2_token_path(emu), std::string(2000, 'a'), {form_type});
    CHECK(r.status == 413);
}

TEST_CASE("on the caller's executor, stop() releases every connection so run() returns") {
    asio::io_context io;
    auto emu = std::make_unique<emulator>(io.get_executor());
    std::thread runner([&io] { io.run(); });
    raw_client c(*emu);
    auto r = c.request("GET", "/common/userrealm/x%40contoso.onmicrosoft.com");
    emu->stop();
    runner.join(); // returns only once the acceptor and the kept-alive connection are closed
    CHECK(r.status == 200);
    CHECK(emu->connection_count() == 1);
    emu.reset();
}

TEST_CASE("a request without Host is answered 400 and the connection closes") {
    emulator emu;
    raw_client c(emu);
    c.send_raw("GET /v1.0/myorg/groups HTTP/1.1\r\n\r\n");
    auto r = c.receive();
    CHECK(r.status == 400);
    CHECK(r.header("connection") == "close");
    CHECK(c.read_to_end().first.empty());
    CHECK(emu.request_count("not_found") + emu.request_count("groups") == 0); // never routed
}

TEST_CASE("stop closes a held connection promptly") {
    auto emu = std::make_unique<emulator>();
    emu->inject_fault("groups", fault{fault::action::never_respond});
    raw_client c(*emu);
    c.send("GET", "/v1.0/myorg/groups");
    const auto start = std::chrono::steady_clock::now();
    std::thread stopper([&emu] {
        std::this_thread::sleep_for(100ms);
        emu->stop();
    });
    auto [bytes, ec] = c.read_to_end();
    stopper.join();
    CHECK(bytes.empty());
    CHECK(ec);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    emu.reset(); // joins the emulator's thread
}
