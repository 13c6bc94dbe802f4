// pbi-async — Power BI REST entities (workspaces, reports, pages, embed tokens) and their JSON.
#pragma once

#include <pbi/config.hpp>
#include <pbi/error.hpp>
#include <pbi/secret.hpp>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace pbi::powerbi {

/// A workspace (`GET /groups`). Unknown JSON keys are ignored.
struct workspace {
    std::string id; ///< a GUID; compare with same_id()
    std::string name;
    bool is_read_only = false;
    bool is_on_dedicated_capacity = false;
    std::optional<std::string> capacity_id;
    std::optional<std::string> type; ///< "Workspace", "Group", "PersonalGroup", ... kept as sent
};

/// A report (`GET /reports`, `GET /groups/{g}/reports[/{r}]`).
struct report {
    std::string id;
    std::string name;
    std::string report_type; ///< "PowerBIReport" or "PaginatedReport", kept as sent (may be empty)
    std::optional<std::string> dataset_id; ///< absent for paginated reports
    std::string web_url;
    std::string embed_url; ///< already encoded: use byte for byte
    std::optional<std::string> description;
    std::optional<std::string> app_id;
    bool is_owned_by_me = false;

    /// True for a paginated (RDL) report: `report_type` is "PaginatedReport" (any case).
    PBI_DECL bool is_paginated() const noexcept;
};

/// A page of a report (`GET .../reports/{r}/pages`). Export takes `name`, not `display_name`.
struct page {
    std::string name; ///< e.g. "ReportSection"
    std::string display_name;
    int order = 0;
};

/// An embed token (GenerateToken). Opaque, not a JWT; it expires at `expiration` (server time).
struct embed_token {
    secret token;
    std::string token_id;
    std::chrono::system_clock::time_point expiration{};
};

/// Prints the token id and the expiration, never the token.
PBI_DECL std::ostream& operator<<(std::ostream& os, const embed_token& t);

/// An effective identity for row-level security in GenerateToken.
struct effective_identity {
    std::string username;
    std::vector<std::string> roles;
    std::vector<std::string> datasets; ///< dataset ids the identity applies to
    std::optional<std::string> custom_data;
};

/// The body of a v1 GenerateToken call (report, dashboard or tile).
struct generate_token_request {
    std::string access_level = "View"; ///< "View", "Edit" or "Create"
    std::vector<effective_identity> identities;
    std::optional<int> lifetime_in_minutes;
};

/// The body of a v2 GenerateToken call (`POST /GenerateToken`): one token for several reports,
/// datasets and target workspaces. Each dataset with row-level security needs an identity that
/// names it (`effective_identity::datasets`); a dataset without must not be named by one.
struct generate_token_v2_request {
    struct report_access {
        std::string id;
        bool allow_edit = false;
    };
    std::vector<report_access> reports;
    std::vector<std::string> datasets;          ///< dataset ids (those of the reports too)
    std::vector<std::string> target_workspaces; ///< workspace ids where the token may save or create
    std::vector<effective_identity> identities;
    std::optional<int> lifetime_in_minutes;
};

/// True when two ids are the same GUID: equal ignoring ASCII case (Power BI's ids differ in
/// case between calls).
PBI_DECL bool same_id(std::string_view a, std::string_view b) noexcept;

/// The JSON body of a GenerateToken call: `accessLevel`, then `identities` (when not empty;
/// each with `username`, `roles` and `datasets` when not empty, `customData` when set), then
/// `lifetimeInMinutes` (when set).
PBI_DECL std::string generate_token_request_body(const generate_token_request& request);

/// The JSON body of a v2 GenerateToken call: `datasets[{id}]`, `reports[{id, allowEdit}]`
/// (`allowEdit` only when true), `targetWorkspaces[{id}]`, `identities` (as in
/// generate_token_request_body), `lifetimeInMinutes`; empty lists and unset values are left out.
PBI_DECL std::string generate_token_v2_request_body(const generate_token_v2_request& request);

/// Parses an ISO-8601 date and time as Power BI writes it: "2024-07-29T17:58:19Z", with
/// optional fractional seconds and a "Z" or "+hh:mm"/"-hh:mm" offset (no offset means UTC).
PBI_DECL std::optional<std::chrono::system_clock::time_point> parse_datetime(std::string_view text);

/// Formats a time as "2024-07-29T17:58:19Z" (UTC, truncated to seconds).
PBI_DECL std::string format_datetime(std::chrono::system_clock::time_point t);

// Parsers. Each accepts the answer's body; unknown keys are ignored and optional fields may be
// absent or null (optional fields of the wrong type are treated as absent). Errors:
// - errc::unexpected_content_type: the body is HTML or text (a gateway page);
// - errc::malformed_json: empty or broken JSON;
// - errc::unexpected_json: the shape is wrong, or a required field (`id`, `name`, `token`,
//   `expiration`) is missing or of the wrong type.
// On error the output is left unchanged.

/// A list of workspaces: `{"value":[...]}` (a bare array is accepted too).
PBI_DECL std::error_code parse_workspaces(std::string_view body, std::vector<workspace>& out);
/// A list of reports: `{"value":[...]}` (a bare array is accepted too).
PBI_DECL std::error_code parse_reports(std::string_view body, std::vector<report>& out);
/// One report: a bare object (possibly with "@odata.context").
PBI_DECL std::error_code parse_report(std::string_view body, report& out);
/// The pages of a report: `{"value":[{name, displayName, order}]}`; `name` is required.
PBI_DECL std::error_code parse_pages(std::string_view body, std::vector<page>& out);
/// A GenerateToken answer: `{"token":"...","tokenId":"...","expiration":"..."}`.
PBI_DECL std::error_code parse_embed_token(std::string_view body, embed_token& out);

} // namespace pbi::powerbi

#if defined(PBI_HEADER_ONLY)
#include <pbi/powerbi/impl/models.ipp>
#endif
