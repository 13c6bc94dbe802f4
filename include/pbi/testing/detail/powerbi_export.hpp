// pbi-async — emulator internals: Export To File (POST .../ExportTo, GET .../exports/{id}[/file]).
#pragma once

#include <pbi/http/encoding.hpp>
#include <pbi/testing/detail/emulator_state.hpp>
#include <pbi/testing/detail/export_files.hpp>
#include <pbi/testing/detail/powerbi_generate_token.hpp>
#include <pbi/testing/detail/powerbi_json.hpp>
#include <pbi/testing/detail/request_parser.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbi::testing::detail {

inline constexpr std::string_view export_formats[] = {"PNG", "PDF", "PPTX",  "XLSX",  "DOCX",
                                                      "CSV", "XML", "MHTML", "IMAGE", "ACCESSIBLEPDF"};

inline std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return out;
}

/// Like the service's: base64 of 16 bytes, and (here always) with '+', '/' and '=' in it, so a
/// client that does not percent-encode it as a path segment is caught.
inline std::string make_export_id(random_source& random) {
    std::string id = base64_encode(random.bytes(16), false, true); // 24 characters, "==" at the end
    id[3] = '+';
    id[9] = '/';
    return id;
}

/// The default script: NotStarted, Running 50 %, Succeeded.
inline std::vector<emulator_export_step> default_export_steps(const emulator_options& o) {
    return {{"NotStarted", 0, o.export_retry_after, {}},
            {"Running", 50, o.export_retry_after, {}},
            {"Succeeded", 100, std::nullopt, {}}};
}

inline std::string export_file_location(const emulator_state& st, const export_job& j) {
    std::string location = st.origin + "/v1.0/myorg";
    if (!j.group_id.empty()) {
        location.append("/groups/").append(j.group_id);
    }
    return location.append("/reports/")
        .append(j.report_id)
        .append("/exports/")
        .append(http::encode_path_segment(j.id))
        .append("/file");
}

inline boost::json::object export_json(const emulator_state& st, const export_job& j) {
    const bool succeeded = j.current.status == "Succeeded";
    boost::json::object o{{"@odata.context", odata_context(j.group_id, "exports/$entity")},
                          {"id", j.id},
                          {"createdDateTime", format_iso8601(j.created)},
                          {"lastActionDateTime", format_iso8601(j.last_action)},
                          {"reportId", j.report_id},
                          {"reportName", j.report_name},
                          {"status", j.current.status},
                          {"percentComplete", j.current.percent_complete}};
    if (succeeded) {
        o["resourceLocation"] = export_file_location(st, j);
        o["resourceFileExtension"] = file_for(j).extension;
        o["expirationTime"] = format_iso8601(j.last_action + std::chrono::hours(24));
    } else {
        o["expirationTime"] = "0001-01-01T00:00:00Z";
    }
    if (j.current.status == "Failed" && !j.current.error_message.empty()) {
        o["error"] = boost::json::object{{"code", "ExportFailed"}, {"message", j.current.error_message}};
    }
    return o;
}

/// POST .../ExportTo. Caller holds st.mutex.
inline answer export_to_locked(emulator_state& st, const server_request& req, const std::string& gid,
                               const emulator_report_info& r) {
    boost::json::error_code ec;
    boost::json::value parsed = boost::json::parse(req.body, ec);
    if (ec || !parsed.is_object()) {
        return invalid_request("The request body is not a valid JSON object.");
    }
    const auto& body = parsed.as_object();
    const auto* format = body.if_contains("format");
    const std::string f = format && format->is_string() ? upper(format->as_string()) : std::string();
    if (std::find(std::begin(export_formats), std::end(export_formats), f) == std::end(export_formats)) {
        return invalid_request("The export format is missing or unknown.");
    }
    const bool paginated = r.report_type == "PaginatedReport";
    if (paginated && f == "PNG") {
        return invalid_request("Export to PNG is not supported for paginated reports. Use IMAGE.");
    }
    if (!paginated && f != "PNG" && f != "PDF" && f != "PPTX") {
        return invalid_request("Export to " + f + " is supported for paginated reports only.");
    }
    export_job j;
    j.group_id = gid;
    j.report_id = r.id;
    j.report_name = r.name;
    j.format = f;
    j.paginated = paginated;
    const auto* config =
        body.if_contains(paginated ? "paginatedReportConfiguration" : "powerBIReportConfiguration");
    if (config && !config->is_object() && !config->is_null()) {
        return invalid_request("The export configuration is not an object.");
    }
    const auto* pages = config && config->is_object() ? config->as_object().if_contains("pages") : nullptr;
    if (pages && pages->is_array() && !pages->as_array().empty()) {
        for (const auto& p : pages->as_array()) {
            const auto* name = p.is_object() ? p.as_object().if_contains("pageName") : nullptr;
            auto known = [&](const auto& page) {
                return name && name->is_string() &&
                       http::iequals(page.first, std::string_view(name->as_string()));
            };
            auto it = std::find_if(r.pages.begin(), r.pages.end(), known);
            if (it == r.pages.end()) {
                return invalid_request("A page to export does not exist in the report.");
            }
            j.pages.push_back(it->first);
        }
    } else if (!paginated) {
        for (const auto& page : r.pages) {
            j.pages.push_back(page.first);
        }
    }
    const auto* settings =
        config && config->is_object() ? config->as_object().if_contains("formatSettings") : nullptr;
    if (settings && settings->is_object()) {
        if (const auto* of = settings->as_object().if_contains("OutputFormat"); of && of->is_string()) {
            j.image_format = upper(of->as_string());
        }
    }
    auto& jobs = st.exports;
    if (!jobs.scripts.empty()) {
        j.steps = std::move(jobs.scripts.front());
        jobs.scripts.pop_front();
    } else {
        j.steps = default_export_steps(st.options());
    }
    do {
        j.id = make_export_id(st.random);
    } while (jobs.find(j.id));
    j.created = j.last_action = st.now();
    j.current = {"NotStarted", 0, std::nullopt, {}};
    if (jobs.jobs.size() >= export_jobs::max_jobs) {
        jobs.jobs.pop_front();
    }
    jobs.jobs.push_back(std::move(j));
    return json_answer(202, export_json(st, jobs.jobs.back()));
}

/// GET .../exports/{id}: the job takes its next scripted step. Caller holds st.mutex.
inline answer export_status_locked(emulator_state& st, export_job& j) {
    if (j.next_step < j.steps.size()) {
        j.current = j.steps[j.next_step++];
    } else if (!j.steps.empty()) {
        j.current = j.steps.back();
    }
    j.last_action = st.now();
    const bool done = j.current.status == "Succeeded" || j.current.status == "Failed";
    answer a = json_answer(done ? 200 : 202, export_json(st, j));
    if (j.current.retry_after) {
        a.headers.emplace_back("Retry-After", std::to_string(j.current.retry_after->count()));
    }
    return a;
}

/// GET .../exports/{id}/file: the file, in its own content type. Caller holds st.mutex.
inline answer export_file_locked(const export_job& j) {
    if (j.current.status != "Succeeded") {
        return invalid_request("The export has not succeeded: its status is " + j.current.status + ".");
    }
    export_file file = file_for(j);
    answer a;
    a.status = 200;
    a.headers.emplace_back("Content-Type", file.content_type);
    a.body = std::move(file.bytes);
    return a;
}

/// "export_to", "export_status" and "export_file" (bearer already checked). `params`: {g, r} or
/// {g, r, export id}; g empty for My workspace. An export id whose '+' came unencoded reads as
/// a space, as a form decoder would read it: that job is not found.
inline answer export_route(emulator_state& st, const server_request& req, std::string_view route,
                           const std::vector<std::string>& params) {
    std::optional<answer> result;
    {
        std::lock_guard lock(st.mutex);
        const std::string& group = params.at(0);
        emulator_workspace_info* ws = group.empty() ? nullptr : st.find_workspace(group);
        auto& reports = ws ? ws->reports : st.my_reports;
        const auto* r = (group.empty() || ws) ? emulator_state::find_report(reports, params.at(1)) : nullptr;
        if (r && route == "export_to") {
            result = export_to_locked(st, req, ws ? ws->id : std::string(), *r);
        } else if (r && params.size() > 2 && req.path().find('+') == std::string_view::npos) {
            export_job* j = st.exports.find(params[2]);
            if (j && same_id(j->report_id, r->id) && route == "export_status") {
                result = export_status_locked(st, *j);
            } else if (j && same_id(j->report_id, r->id)) {
                result = export_file_locked(*j);
            }
        }
    }
    if (!result) {
        return powerbi_service_error(st, 404, "PowerBIEntityNotFound");
    }
    return with_powerbi_headers(st, std::move(*result));
}

} // namespace pbi::testing::detail
