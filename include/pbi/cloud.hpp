// pbi-async — national clouds: where to sign in, which Power BI scope to ask for, where the API is.
#pragma once

#include <pbi/config.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pbi {

/// The Microsoft clouds Power BI runs in (WIRE.md §3).
enum class cloud_name {
    public_cloud, ///< the worldwide cloud
    us_gov,       ///< US Government Community Cloud (GCC)
    us_gov_high,  ///< US GCC High
    us_dod,       ///< US Department of Defense
    china,        ///< China, operated by 21Vianet
};

/// The endpoints of one cloud. Start from `preset()` and assign a field to override it (for
/// the emulator, a private endpoint or a proxy).
struct cloud {
    /// The Entra ID authority, scheme and host without a trailing slash:
    /// "https://login.microsoftonline.com".
    std::string authority_host_origin;
    /// The Power BI resource (v1 `resource`): "https://analysis.windows.net/powerbi/api".
    std::string powerbi_resource;
    /// The Power BI REST origin, scheme and host: "https://api.powerbi.com"
    /// (the API base is this plus "/v1.0/myorg").
    std::string api_origin;
    /// The host that serves embedded reports, without a scheme: "app.powerbi.com".
    std::string embed_host;

    /// The v2 scope for Power BI: `powerbi_resource + "/.default"`.
    PBI_DECL std::string powerbi_scope() const;

    /// The endpoints of a national cloud.
    PBI_DECL static cloud preset(cloud_name name);

    /// Parses "public", "usgov", "usgovhigh", "usdod" or "china", ignoring ASCII case, '-' and
    /// '_' (so the enumerator spellings "public_cloud", "us_gov_high", ... are accepted too).
    /// nullopt for anything else.
    PBI_DECL static std::optional<cloud_name> parse_name(std::string_view text);

    friend bool operator==(const cloud&, const cloud&) = default;
};

/// The short name parse_name() accepts: "public", "usgov", "usgovhigh", "usdod", "china".
PBI_DECL const char* to_string(cloud_name name) noexcept;

} // namespace pbi

#if defined(PBI_HEADER_ONLY)
#include <pbi/impl/cloud.ipp>
#endif
