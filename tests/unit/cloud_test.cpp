#include <pbi/cloud.hpp>

#include <catch2/catch.hpp>

#include <string>

TEST_CASE("public cloud preset names login.microsoftonline.com and the Power BI resource") {
    auto c = pbi::cloud::preset(pbi::cloud_name::public_cloud);
    CHECK(c.authority_host_origin == "https://login.microsoftonline.com");
    CHECK(c.powerbi_resource == "https://analysis.windows.net/powerbi/api");
    CHECK(c.powerbi_scope() == "https://analysis.windows.net/powerbi/api/.default");
    CHECK(c.api_origin == "https://api.powerbi.com");
    CHECK(c.embed_host == "app.powerbi.com");
}

TEST_CASE("national cloud presets follow the documented table") {
    auto gcc = pbi::cloud::preset(pbi::cloud_name::us_gov);
    CHECK(gcc.authority_host_origin == "https://login.microsoftonline.com");
    CHECK(gcc.powerbi_scope() == "https://analysis.usgovcloudapi.net/powerbi/api/.default");
    CHECK(gcc.api_origin == "https://api.powerbigov.us");
    CHECK(gcc.embed_host == "app.powerbigov.us");

    auto high = pbi::cloud::preset(pbi::cloud_name::us_gov_high);
    CHECK(high.authority_host_origin == "https://login.microsoftonline.us");
    CHECK(high.powerbi_resource == "https://high.analysis.usgovcloudapi.net/powerbi/api");
    CHECK(high.api_origin == "https://api.high.powerbigov.us");
    CHECK(high.embed_host == "app.high.powerbigov.us");

    auto dod = pbi::cloud::preset(pbi::cloud_name::us_dod);
    CHECK(dod.authority_host_origin == "https://login.microsoftonline.us");
    CHECK(dod.powerbi_resource == "https://mil.analysis.usgovcloudapi.net/powerbi/api");
    CHECK(dod.api_origin == "https://api.mil.powerbigov.us");
    CHECK(dod.embed_host == "app.mil.powerbigov.us");

    auto cn = pbi::cloud::preset(pbi::cloud_name::china);
    CHECK(cn.authority_host_origin == "https://login.chinacloudapi.cn");
    CHECK(cn.powerbi_resource == "https://analysis.chinacloudapi.cn/powerbi/api");
    CHECK(cn.api_origin == "https://api.powerbi.cn");
    CHECK(cn.embed_host == "app.powerbi.cn");
}

TEST_CASE("cloud names parse case-insensitively and round-trip through to_string") {
    using pbi::cloud;
    using pbi::cloud_name;
    CHECK(cloud::parse_name("public") == cloud_name::public_cloud);
    CHECK(cloud::parse_name("PUBLIC") == cloud_name::public_cloud);
    CHECK(cloud::parse_name("UsGov") == cloud_name::us_gov);
    CHECK(cloud::parse_name("usgovhigh") == cloud_name::us_gov_high);
    CHECK(cloud::parse_name("us_gov_high") == cloud_name::us_gov_high);
    CHECK(cloud::parse_name("usdod") == cloud_name::us_dod);
    CHECK(cloud::parse_name("China") == cloud_name::china);
    CHECK(cloud::parse_name("public_cloud") == cloud_name::public_cloud);
    for (auto n : {cloud_name::public_cloud, cloud_name::us_gov, cloud_name::us_gov_high, cloud_name::us_dod,
                   cloud_name::china})
        CHECK(cloud::parse_name(pbi::to_string(n)) == n);
}

TEST_CASE("unknown cloud names are rejected") {
    CHECK_FALSE(pbi::cloud::parse_name("").has_value());
    CHECK_FALSE(pbi::cloud::parse_name("germany").has_value());
    CHECK_FALSE(pbi::cloud::parse_name("us gov").has_value());
}

TEST_CASE("a cloud's endpoints can be overridden field by field") {
    auto c = pbi::cloud::preset(pbi::cloud_name::public_cloud);
    c.authority_host_origin = "https://127.0.0.1:8443";
    c.api_origin = "https://127.0.0.1:8443";
    CHECK(c.powerbi_scope() == "https://analysis.windows.net/powerbi/api/.default");
    CHECK_FALSE(c == pbi::cloud::preset(pbi::cloud_name::public_cloud));
}
