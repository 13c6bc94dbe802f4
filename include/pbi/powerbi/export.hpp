// pbi-async — export a Power BI report to a file (PNG, PDF, PPTX, and the paginated formats).
#pragma once

#include <pbi/call_options.hpp>
#include <pbi/detail/async_run.hpp>
#include <pbi/diagnostics.hpp>
#include <pbi/powerbi/client.hpp>
#include <pbi/powerbi/models.hpp>
#include <pbi/result.hpp>

#include <asio/awaitable.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace pbi::powerbi {

/// The file formats of Export To File. A Power BI report exports to png, pdf and pptx; a
/// paginated report to every format but png (an image of a paginated report is `image`, whose
/// kind the "OutputFormat" format setting chooses).
enum class export_format { png, pdf, pptx, xlsx, docx, csv, xml, mhtml, image, accessible_pdf };

/// The wire name: "PNG", "PDF", "PPTX", "XLSX", "DOCX", "CSV", "XML", "MHTML", "IMAGE", "ACCESSIBLEPDF".
PBI_DECL const char* to_string(export_format f) noexcept;
/// A format from its wire name or enumerator name, in any case ("png", "AccessiblePdf",
/// "accessible_pdf"); nullopt for anything else.
PBI_DECL std::optional<export_format> parse_export_format(std::string_view text) noexcept;
/// True when a report of this kind can be exported to `f` (see export_format).
PBI_DECL bool export_format_supported(export_format f, bool paginated_report) noexcept;

/// A bookmark to apply: a saved bookmark's `name`, or a captured `state` (from the JavaScript
/// SDK's bookmarksManager.capture()). Exactly one of the two is set.
struct export_bookmark {
    std::string name;
    std::string state;
};

/// One page to export (`name` as in list_pages(), e.g. "ReportSection"), optionally in a
/// bookmark's state, optionally one visual of it.
struct export_page {
    std::string name;
    std::optional<export_bookmark> bookmark;
    std::optional<std::string> visual_name;
};

/// What to export. Pages, bookmarks, filters and the locale apply to Power BI reports;
/// format settings and parameter values to paginated reports; identities (row-level security)
/// to both. An empty `report.workspace_id` means My workspace.
struct export_request {
    report_ref report;
    export_format format = export_format::pdf;
    std::vector<export_page> pages;                     ///< empty: every page
    std::optional<export_bookmark> bookmark;            ///< the report's default bookmark
    std::vector<std::string> report_level_filters;      ///< URL-filter syntax: "Store/Territory eq 'NC'"
    std::optional<std::string> locale;                  ///< "en-US"
    std::vector<effective_identity> identities;         ///< for datasets with row-level security
    std::map<std::string, std::string> format_settings; ///< paginated: "OutputFormat" = "PNG", ...
    std::vector<std::pair<std::string, std::string>> parameter_values; ///< paginated: name, value
};

/// How far an export job got; passed to export_options::on_progress after every poll.
enum class export_state { not_started, running, succeeded, failed, undefined };

/// The wire name: "NotStarted", "Running", "Succeeded", "Failed", "Undefined".
PBI_DECL const char* to_string(export_state s) noexcept;

struct export_progress {
    std::string export_id;
    export_state state = export_state::not_started;
    int percent_complete = 0;
    int attempt = 1; ///< 1 for the first submission, 2 after a resubmission, ...
    int poll = 0;    ///< polls of the export so far (all submissions)
};

struct export_options {
    /// The deadline of the whole export (report lookup, submissions, polls, waits, download);
    /// 10 minutes unless set. Each request is also bounded by the client's own call timeout, but
    /// a 429 whose Retry-After ends before this deadline is waited out and the request sent again.
    call_options call = call_options::with_timeout(std::chrono::minutes(10));
    /// The largest file accepted (it is held in memory): 1 GiB unless set. A larger one fails
    /// with errc::body_limit_exceeded, the message naming this limit.
    std::size_t max_file_bytes = std::size_t(1) << 30;
    /// The delay between polls when Power BI sends no (or a zero) Retry-After.
    std::chrono::milliseconds poll_interval{std::chrono::seconds(5)};
    /// How often a job that failed *with* a Retry-After is submitted again.
    int max_resubmits = 1;
    /// Called on the client's executor after each poll (not after a submission); exceptions it
    /// throws are ignored.
    std::function<void(const export_progress&)> on_progress;
};

/// The exported file.
struct export_result {
    std::string bytes;          ///< the file, byte for byte
    std::string content_type;   ///< as Power BI sent it ("image/png", "application/zip", ...)
    std::string file_extension; ///< resourceFileExtension, e.g. ".png", ".zip", ".pdf"
    /// A PNG export of more than one page arrives as a zip of one PNG per page.
    bool is_zip = false;
    std::string export_id;
    int attempts = 0; ///< submissions (ExportTo requests)
    int polls = 0;    ///< status requests
};

/// An export object (`POST .../ExportTo` and `GET .../exports/{id}`).
struct export_status {
    std::string id;
    export_state state = export_state::not_started;
    int percent_complete = 0; ///< clamped to 0..100; 0 when absent
    std::optional<std::string> resource_location;
    std::optional<std::string> resource_file_extension;
    std::optional<std::string> report_name;
    std::string error_code, error_message; ///< an `error` member, when a failed job has one
};

/// The body of `POST .../ExportTo`: `format`, then for a Power BI report
/// `powerBIReportConfiguration` {`pages`[{`pageName`, `bookmark`{`name`|`state`}, `visualName`}],
/// `defaultBookmark`, `reportLevelFilters`[{`filter`}], `settings`{`locale`}, `identities`}, for a
/// paginated report `paginatedReportConfiguration` {`formatSettings`{}, `parameterValues`[{`name`,
/// `value`}], `identities`}. Empty members are left out, and so is an empty configuration.
PBI_DECL std::string export_request_body(const export_request& request, bool paginated_report);

/// Parses an export object. Errors (as the parsers of <pbi/powerbi/models.hpp>):
/// errc::unexpected_content_type, errc::malformed_json, and errc::unexpected_json when `id` or
/// `status` is missing or not a string, or the status is none of the five known ones (compared
/// ignoring case). Optional fields of the wrong type count as absent. On error `out` is unchanged.
PBI_DECL std::error_code parse_export_status(std::string_view body, export_status& out);

/// The coroutine behind async_export_report().
PBI_DECL asio::awaitable<result<export_result>> export_report(client& c, export_request request,
                                                              export_options options, diagnostics& diag);

/// Exports a report to a file and returns its bytes.
///
/// Flow: GET the report to learn its type; refuse a format it cannot have
/// (errc::export_format_not_supported, nothing submitted) and options of the other kind of report
/// (errc::invalid_argument); POST .../ExportTo; poll GET .../exports/{id} (the id percent-encoded)
/// after each answer's `Retry-After` seconds, or options.poll_interval when there is none;
/// on `Succeeded` GET .../exports/{id}/file. A job that fails with a Retry-After is submitted again
/// after that delay (up to options.max_resubmits times); one that fails without is
/// errc::export_failed at once, the service's message in diagnostics::server_message.
///
/// Deadline: options.call. No wait runs past it: when the next poll (or resubmission) would come
/// after it, the operation fails at once with errc::timeout, the delay Power BI asked for in
/// diagnostics::retry_after. Each request gets the client's retries (429, 5xx on GETs) and token
/// renewal within that deadline, and is itself bounded by the client's call timeout: a 429 whose
/// Retry-After ends before the export's deadline is waited out, a longer one fails at once
/// (errc::throttled, retry_after set).
/// A file download answered with an HTML page or JSON (a gateway's or sign-in page, an error
/// object) is errc::unexpected_content_type, never returned as the file.
/// A failure after the job was submitted ends diagnostics::message with "[export job <id>]", and
/// the completion's export_result then carries export_id, attempts and polls (no file).
///
/// Completion signature: void(std::error_code, export_result); the forms without diagnostics
/// complete with void(std::exception_ptr, export_result) (a pbi::error). Runs on the client's
/// executor. Cancellation: terminal, through the completion handler's cancellation slot (ends
/// with asio::error::operation_aborted; a job already submitted keeps running on the service).
/// Lifetimes: `c` and `diag` must outlive the operation. Errors: the above, the client's errors
/// for each request, errc::invalid_argument for a request without ids or with a bookmark that
/// has both or neither of name and state.
template <class CompletionToken = asio::use_awaitable_t<>>
auto async_export_report(client& c, export_request request, export_options options, diagnostics& diag,
                         CompletionToken&& token = {}) {
    auto op = [&c, request = std::move(request), options = std::move(options)](diagnostics& d) {
        return export_report(c, request, options, d);
    };
    return pbi::detail::async_run<export_result>(c.get_executor(), std::move(op), diag,
                                                 std::forward<CompletionToken>(token));
}

/// As above; failures are a pbi::error (code and diagnostics).
template <class CompletionToken = asio::use_awaitable_t<>>
requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_export_report(
    client& c, export_request request, export_options options, CompletionToken&& token = {}) {
    auto op = [&c, request = std::move(request), options = std::move(options)](diagnostics& d) {
        return export_report(c, request, options, d);
    };
    return pbi::detail::async_run_throwing<export_result>(c.get_executor(), std::move(op),
                                                          std::forward<CompletionToken>(token));
}

/// With the default options (10-minute deadline, 5 s polls, one resubmission); throws pbi::error.
/// An overload rather than a default argument: g++ 12 corrupts brace-initialised temporaries in
/// a co_await expression.
inline asio::awaitable<export_result> async_export_report(client& c, export_request request) {
    return async_export_report(c, std::move(request), export_options{});
}

} // namespace pbi::powerbi

#if defined(PBI_HEADER_ONLY)
#include <pbi/powerbi/impl/export.ipp>
#endif
