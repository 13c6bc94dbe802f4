// pbi-async — Power BI datasets, their refreshes, and their JSON.
#pragma once

#include <pbi/config.hpp>
#include <pbi/error.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace pbi::powerbi {

/// A dataset (`GET /groups/{g}/datasets[/{d}]`). The two identity flags decide whether an
/// embed token for its reports needs `identities`.
struct dataset {
    std::string id; ///< a GUID; compare with same_id()
    std::string name;
    bool is_refreshable = false;
    bool is_effective_identity_required = false;
    bool is_effective_identity_roles_required = false;
    std::optional<std::string> configured_by;
    std::optional<std::string> web_url;
};

/// A dataset in a workspace; an empty `workspace_id` means My workspace.
struct dataset_ref {
    std::string workspace_id;
    std::string dataset_id;
};

/// What `POST .../datasets/{d}/refreshes` answered (202, empty body).
struct refresh_started {
    /// The `Location` header: documented for enhanced refreshes, often absent for a plain one.
    std::optional<std::string> location;
    /// The answer's `RequestId`: the `requestId` of the refresh in the history.
    std::string request_id;
};

/// One refresh in a dataset's history (`GET .../datasets/{d}/refreshes`), newest first.
struct refresh_entry {
    std::string request_id;
    std::int64_t id = 0;
    std::string refresh_type; ///< "OnDemand", "Scheduled", "ViaApi", ... kept as sent
    /// "Unknown" (still running), "Completed", "Failed", "Disabled", ... kept as sent.
    std::string status;
    std::optional<std::chrono::system_clock::time_point> start_time, end_time;
    std::optional<std::string> service_exception_json; ///< on failure: the service's error, as JSON text

    bool is_running() const noexcept { return status == "Unknown"; }
};

// Parsers, with the rules and errors of the parsers in <pbi/powerbi/models.hpp>. A dataset
// needs `id` and `name`; a refresh needs `requestId` and `status`.

/// A list of datasets: `{"value":[...]}` (a bare array is accepted too).
PBI_DECL std::error_code parse_datasets(std::string_view body, std::vector<dataset>& out);
/// One dataset: a bare object (possibly with "@odata.context").
PBI_DECL std::error_code parse_dataset(std::string_view body, dataset& out);
/// A refresh history: `{"value":[...]}` (a bare array is accepted too).
PBI_DECL std::error_code parse_refreshes(std::string_view body, std::vector<refresh_entry>& out);

} // namespace pbi::powerbi

#if defined(PBI_HEADER_ONLY)
#include <pbi/powerbi/impl/dataset.ipp>
#endif
