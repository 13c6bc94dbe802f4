#include <pbi/powerbi/dataset.hpp>
#include <pbi/powerbi/models.hpp>

#include <catch2/catch.hpp>

using namespace pbi::powerbi;

TEST_CASE("datasets keep both identity flags") {
    std::vector<dataset> ds;
    REQUIRE_FALSE(parse_datasets(
        R"({"@odata.context":"http://x/v1.0/myorg/groups/g/$metadata#datasets","value":[)"
        R"({"id":"cfafbeb1-8037-4d0c-896e-a46fb27ff229","name":"SalesMarketing","addRowsAPIEnabled":false,)"
        R"("configuredBy":"john@contoso.com","isRefreshable":true,"isEffectiveIdentityRequired":true,)"
        R"("isEffectiveIdentityRolesRequired":false,"isOnPremGatewayRequired":false,"targetStorageMode":"Abf"},)"
        R"({"id":"d2","name":"Plain","configuredBy":null}]})",
        ds));
    REQUIRE(ds.size() == 2);
    CHECK(ds[0].name == "SalesMarketing");
    CHECK(ds[0].is_refreshable);
    CHECK(ds[0].is_effective_identity_required);
    CHECK_FALSE(ds[0].is_effective_identity_roles_required);
    CHECK(ds[0].configured_by == "john@contoso.com");
    CHECK_FALSE(ds[1].configured_by);
    CHECK_FALSE(ds[1].is_effective_identity_required);
}

TEST_CASE("one dataset is a bare object and needs an id and a name") {
    dataset d;
    REQUIRE_FALSE(parse_dataset(R"({"@odata.context":"x","id":"a","name":"A","isRefreshable":false})", d));
    CHECK(d.id == "a");
    CHECK(parse_dataset(R"({"id":"a"})", d) == pbi::errc::unexpected_json);
    CHECK(d.name == "A"); // left unchanged
}

TEST_CASE("a refresh history keeps running refreshes without an end time") {
    std::vector<refresh_entry> rs;
    REQUIRE_FALSE(parse_refreshes(
        R"({"value":[{"requestId":"9399bb89-25d1-44f8-8576-136d7e9014b1","id":1344,"refreshType":"ViaApi",)"
        R"("startTime":"2017-06-13T09:25:43.153Z","status":"Unknown"},)"
        R"({"requestId":"11bf290a-346b-48b7-8973-c5df149337ff","id":1343,"refreshType":"ViaApi",)"
        R"("startTime":"2017-06-13T09:25:43.153Z","endTime":"2017-06-13T09:31:43.153Z","status":"Failed",)"
        R"("serviceExceptionJson":"{\"errorCode\":\"ModelRefreshFailed_CredentialsNotSpecified\"}"}]})",
        rs));
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].is_running());
    CHECK(rs[0].id == 1344);
    CHECK(rs[0].start_time == parse_datetime("2017-06-13T09:25:43.153Z"));
    CHECK_FALSE(rs[0].end_time);
    CHECK_FALSE(rs[1].is_running());
    CHECK(rs[1].status == "Failed");
    CHECK(rs[1].end_time);
    CHECK(rs[1].service_exception_json->find("CredentialsNotSpecified") != std::string::npos);
    CHECK(parse_refreshes(R"({"value":[{"id":1,"status":"Completed"}]})", rs) == pbi::errc::unexpected_json);
}
