// Bodies for pbi/cloud.hpp.
#pragma once

#include <pbi/cloud.hpp>

namespace pbi {

PBI_DECL std::string cloud::powerbi_scope() const {
    return powerbi_resource + "/.default";
}

PBI_DECL cloud cloud::preset(cloud_name name) {
    switch (name) {
    case cloud_name::public_cloud:
        break;
    case cloud_name::us_gov:
        return {"https://login.microsoftonline.com", "https://analysis.usgovcloudapi.net/powerbi/api",
                "https://api.powerbigov.us", "app.powerbigov.us"};
    case cloud_name::us_gov_high:
        return {"https://login.microsoftonline.us", "https://high.analysis.usgovcloudapi.net/powerbi/api",
                "https://api.high.powerbigov.us", "app.high.powerbigov.us"};
    case cloud_name::us_dod:
        return {"https://login.microsoftonline.us", "https://mil.analysis.usgovcloudapi.net/powerbi/api",
                "https://api.mil.powerbigov.us", "app.mil.powerbigov.us"};
    case cloud_name::china:
        return {"https://login.chinacloudapi.cn", "https://analysis.chinacloudapi.cn/powerbi/api",
                "https://api.powerbi.cn", "app.powerbi.cn"};
    }
    return {"https://login.microsoftonline.com", "https://analysis.windows.net/powerbi/api",
            "https://api.powerbi.com", "app.powerbi.com"};
}

PBI_DECL std::optional<cloud_name> cloud::parse_name(std::string_view text) {
    std::string key;
    for (char c : text) {
        if (c == '-' || c == '_')
            continue;
        key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (key == "public" || key == "publiccloud")
        return cloud_name::public_cloud;
    if (key == "usgov")
        return cloud_name::us_gov;
    if (key == "usgovhigh")
        return cloud_name::us_gov_high;
    if (key == "usdod")
        return cloud_name::us_dod;
    if (key == "china")
        return cloud_name::china;
    return std::nullopt;
}

PBI_DECL const char* to_string(cloud_name name) noexcept {
    switch (name) {
    case cloud_name::public_cloud:
        return "public";
    case cloud_name::us_gov:
        return "usgov";
    case cloud_name::us_gov_high:
        return "usgovhigh";
    case cloud_name::us_dod:
        return "usdod";
    case cloud_name::china:
        return "china";
    }
    return "unknown";
}

} // namespace pbi
