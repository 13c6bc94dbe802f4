// pbi-async — Power BI dashboards and their tiles, and their JSON.
#pragma once

#include <pbi/config.hpp>
#include <pbi/error.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace pbi::powerbi {

/// A dashboard (`GET /groups/{g}/dashboards`). Dashboards cannot be exported to images.
struct dashboard {
    std::string id; ///< a GUID; compare with same_id()
    std::string display_name;
    bool is_read_only = false;
    std::string web_url;
    std::string embed_url; ///< already encoded: use byte for byte
};

/// A tile of a dashboard (`GET /groups/{g}/dashboards/{d}/tiles`).
struct tile {
    std::string id;
    std::string title; ///< may be empty (tiles without a title)
    std::string embed_url;
    int row_span = 0;
    int col_span = 0;
    std::optional<std::string> report_id;  ///< absent for tiles not pinned from a report
    std::optional<std::string> dataset_id; ///< absent for tiles without a dataset (images, text)
};

/// A dashboard in a workspace.
struct dashboard_ref {
    std::string workspace_id;
    std::string dashboard_id;
};

/// A tile of a dashboard in a workspace.
struct tile_ref {
    std::string workspace_id;
    std::string dashboard_id;
    std::string tile_id;
};

// Parsers, with the rules and errors of the parsers in <pbi/powerbi/models.hpp>: unknown keys
// are ignored, optional fields may be absent or null; `id` is required, and a dashboard's
// `displayName` too.

/// A list of dashboards: `{"value":[...]}` (a bare array is accepted too).
PBI_DECL std::error_code parse_dashboards(std::string_view body, std::vector<dashboard>& out);
/// A list of tiles: `{"value":[...]}` (a bare array is accepted too).
PBI_DECL std::error_code parse_tiles(std::string_view body, std::vector<tile>& out);
/// One dashboard: a bare object (possibly with "@odata.context").
PBI_DECL std::error_code parse_dashboard(std::string_view body, dashboard& out);
/// One tile: a bare object (possibly with "@odata.context").
PBI_DECL std::error_code parse_tile(std::string_view body, tile& out);

} // namespace pbi::powerbi

#if defined(PBI_HEADER_ONLY)
#include <pbi/powerbi/impl/dashboard.ipp>
#endif
