// Bodies for pbi/powerbi/export.hpp.
#pragma once

#include <pbi/http/date.hpp>
#include <pbi/http/encoding.hpp>
#include <pbi/powerbi/export.hpp>
#include <pbi/powerbi/impl/client.ipp> // detail::unreadable_answer
#include <pbi/powerbi/impl/models.ipp> // the field readers and identities_json of detail::models

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>

#include <algorithm>
#include <cstdio>

namespace pbi::powerbi {

namespace detail::export_flow {

struct format_name {
    export_format format;
    const char* wire;
    const char* enumerator;
};

inline constexpr format_name format_names[] = {
    {export_format::png, "PNG", "png"},
    {export_format::pdf, "PDF", "pdf"},
    {export_format::pptx, "PPTX", "pptx"},
    {export_format::xlsx, "XLSX", "xlsx"},
    {export_format::docx, "DOCX", "docx"},
    {export_format::csv, "CSV", "csv"},
    {export_format::xml, "XML", "xml"},
    {export_format::mhtml, "MHTML", "mhtml"},
    {export_format::image, "IMAGE", "image"},
    {export_format::accessible_pdf, "ACCESSIBLEPDF", "accessible_pdf"},
};

struct state_name {
    export_state state;
    const char* wire;
};

inline constexpr state_name state_names[] = {
    {export_state::not_started, "NotStarted"}, {export_state::running, "Running"},
    {export_state::succeeded, "Succeeded"},    {export_state::failed, "Failed"},
    {export_state::undefined, "Undefined"},
};

inline boost::json::object bookmark_json(const export_bookmark& b) {
    if (!b.name.empty())
        return boost::json::object{{"name", b.name}};
    return boost::json::object{{"state", b.state}};
}

} // namespace detail::export_flow

PBI_DECL const char* to_string(export_format f) noexcept {
    for (const auto& n : detail::export_flow::format_names)
        if (n.format == f)
            return n.wire;
    return "unknown";
}

PBI_DECL std::optional<export_format> parse_export_format(std::string_view text) noexcept {
    namespace body = pbi::detail::body;
    text = body::trim(text);
    for (const auto& n : detail::export_flow::format_names)
        if (body::iequals(text, n.wire) || body::iequals(text, n.enumerator))
            return n.format;
    return std::nullopt;
}

PBI_DECL bool export_format_supported(export_format f, bool paginated_report) noexcept {
    switch (f) {
    case export_format::png:
        return !paginated_report;
    case export_format::pdf:
    case export_format::pptx:
        return true;
    default:
        return paginated_report;
    }
}

PBI_DECL const char* to_string(export_state s) noexcept {
    for (const auto& n : detail::export_flow::state_names)
        if (n.state == s)
            return n.wire;
    return "unknown";
}

PBI_DECL std::string export_request_body(const export_request& request, bool paginated_report) {
    namespace ef = detail::export_flow;
    boost::json::object o;
    o["format"] = to_string(request.format);
    boost::json::object config;
    if (!paginated_report) {
        if (!request.pages.empty()) {
            boost::json::array pages;
            for (const auto& p : request.pages) {
                boost::json::object page{{"pageName", p.name}};
                if (p.bookmark)
                    page["bookmark"] = ef::bookmark_json(*p.bookmark);
                if (p.visual_name)
                    page["visualName"] = *p.visual_name;
                pages.emplace_back(std::move(page));
            }
            config["pages"] = std::move(pages);
        }
        if (request.bookmark)
            config["defaultBookmark"] = ef::bookmark_json(*request.bookmark);
        if (!request.report_level_filters.empty()) {
            boost::json::array filters;
            for (const auto& f : request.report_level_filters)
                filters.emplace_back(boost::json::object{{"filter", f}});
            config["reportLevelFilters"] = std::move(filters);
        }
        if (request.locale)
            config["settings"] = boost::json::object{{"locale", *request.locale}};
    } else {
        if (!request.format_settings.empty()) {
            boost::json::object settings;
            for (const auto& [name, value] : request.format_settings)
                settings[name] = value;
            config["formatSettings"] = std::move(settings);
        }
        if (!request.parameter_values.empty()) {
            boost::json::array values;
            for (const auto& [name, value] : request.parameter_values)
                values.emplace_back(boost::json::object{{"name", name}, {"value", value}});
            config["parameterValues"] = std::move(values);
        }
    }
    if (!request.identities.empty())
        config["identities"] = detail::models::identities_json(request.identities);
    if (!config.empty())
        o[paginated_report ? "paginatedReportConfiguration" : "powerBIReportConfiguration"] =
            std::move(config);
    return boost::json::serialize(o);
}

PBI_DECL std::error_code parse_export_status(std::string_view text, export_status& out) {
    namespace body = pbi::detail::body;
    boost::json::object o;
    if (auto ec = body::parse_object(text, std::nullopt, o))
        return ec;
    export_status s;
    std::string state;
    if (!detail::models::required(o, "id", s.id) || body::get_string(o, "status", state) != body::field::ok)
        return errc::unexpected_json;
    const auto* known =
        std::find_if(std::begin(detail::export_flow::state_names), std::end(detail::export_flow::state_names),
                     [&](const auto& n) { return body::iequals(state, n.wire); });
    if (known == std::end(detail::export_flow::state_names))
        return errc::unexpected_json;
    s.state = known->state;
    std::int64_t percent = 0;
    if (body::get_int(o, "percentComplete", percent) == body::field::ok)
        s.percent_complete = static_cast<int>(std::clamp<std::int64_t>(percent, 0, 100));
    detail::models::optional_string(o, "resourceLocation", s.resource_location);
    detail::models::optional_string(o, "resourceFileExtension", s.resource_file_extension);
    detail::models::optional_string(o, "reportName", s.report_name);
    if (const auto* error = o.if_contains("error")) {
        if (const auto* e = error->if_object()) {
            detail::models::optional_string(*e, "code", s.error_code);
            detail::models::optional_string(*e, "message", s.error_message);
        } else if (const auto* m = error->if_string()) {
            s.error_message.assign(m->data(), m->size());
        }
    }
    out = std::move(s);
    return {};
}

namespace detail::export_flow {

using clock = std::chrono::steady_clock;

inline std::string report_path(const report_ref& r) {
    std::string path =
        r.workspace_id.empty() ? std::string() : "/groups/" + http::encode_path_segment(r.workspace_id);
    return path + "/reports/" + http::encode_path_segment(r.report_id);
}

inline std::string export_path(const std::string& report, const std::string& export_id) {
    return report + "/exports/" + http::encode_path_segment(export_id);
}

inline std::optional<std::chrono::seconds> retry_after(const http::response& res) {
    auto value = res.headers.get("Retry-After");
    if (!value)
        return std::nullopt;
    std::optional<std::chrono::system_clock::time_point> reference;
    if (auto date = res.headers.get("Date"))
        reference = http::parse_http_date(*date);
    if (!reference)
        reference = std::chrono::system_clock::now();
    return http::parse_retry_after(*value, reference);
}

// Retry-After when Power BI sent a positive one, else the caller's interval (a "0" is no advice:
// polling as fast as the network allows would only load the service).
inline clock::duration next_delay(std::optional<std::chrono::seconds> asked,
                                  std::chrono::milliseconds interval) {
    if (asked && asked->count() > 0)
        return *asked;
    return std::max(interval, std::chrono::milliseconds(0));
}

inline std::string seconds_text(clock::duration d) {
    const double s = std::chrono::duration<double>(d).count();
    char buf[32];
    std::snprintf(buf, sizeof buf, s < 10 ? "%.1f s" : "%.0f s", s < 0 ? 0.0 : s);
    return buf;
}

inline std::error_code past_deadline(diagnostics& diag, std::optional<std::chrono::seconds> asked,
                                     clock::duration delay, clock::time_point deadline, const char* next) {
    diag.retry_after = asked;
    diag.message = std::string("the export did not finish before its deadline: the next ") + next +
                   " would come in " + seconds_text(delay) +
                   (asked && asked->count() > 0 ? " (Power BI's Retry-After)" : "") +
                   ", the deadline leaves " + seconds_text(deadline - clock::now());
    diag.hint = "allow the export more time (export_options::call), or try again later";
    return make_error_code(errc::timeout);
}

inline void note_answer(const http::response& res, diagnostics& diag) {
    diag.source = failure_source::powerbi;
    diag.http_status = res.status;
    if (auto id = res.headers.get("RequestId"))
        diag.request_id = std::string(*id);
    else if (auto ms = res.headers.get("x-ms-request-id"))
        diag.request_id = std::string(*ms);
}

inline std::error_code check_bookmark(const std::optional<export_bookmark>& b, diagnostics& diag) {
    if (b && b->name.empty() == b->state.empty()) {
        diag.message = "a bookmark needs either a name or a state (not both)";
        return make_error_code(errc::invalid_argument);
    }
    return {};
}

inline std::error_code check_request(const export_request& r, diagnostics& diag) {
    if (r.report.report_id.empty()) {
        diag.message = "a report id is required";
        return make_error_code(errc::invalid_argument);
    }
    for (const auto& p : r.pages) {
        if (p.name.empty()) {
            diag.message = "every page to export needs its name (as list_pages() gives it)";
            return make_error_code(errc::invalid_argument);
        }
        if (auto ec = check_bookmark(p.bookmark, diag))
            return ec;
    }
    return check_bookmark(r.bookmark, diag);
}

inline std::error_code check_for_kind(const export_request& r, const report& rep, diagnostics& diag) {
    const bool paginated = rep.is_paginated();
    if (paginated && (!r.pages.empty() || r.bookmark || !r.report_level_filters.empty() || r.locale)) {
        diag.message = "'" + rep.name +
                       "' is a paginated report: pages, bookmarks, report-level filters and the locale apply "
                       "to Power BI reports only";
        diag.hint = "use format settings and parameter values for a paginated report";
        return make_error_code(errc::invalid_argument);
    }
    if (!paginated && (!r.format_settings.empty() || !r.parameter_values.empty())) {
        diag.message = "'" + rep.name +
                       "' is a Power BI report: format settings and parameter values apply to paginated "
                       "reports only";
        diag.hint = "use pages, bookmarks and report-level filters for a Power BI report";
        return make_error_code(errc::invalid_argument);
    }
    return {};
}

inline std::error_code format_not_supported(export_format f, const report& rep, diagnostics& diag) {
    const bool paginated = rep.is_paginated();
    diag.message = "'" + rep.name + "' is a " + (rep.report_type.empty() ? "report" : rep.report_type) +
                   ", which cannot be exported to " + to_string(f);
    diag.hint = paginated
                    ? "a paginated report exports to PDF, ACCESSIBLEPDF, PPTX, XLSX, DOCX, CSV, XML, MHTML "
                      "or IMAGE (for a PNG, IMAGE with the format setting OutputFormat=PNG)"
                    : "a Power BI report exports to PNG, PDF or PPTX";
    return make_error_code(errc::export_format_not_supported);
}

inline std::error_code export_failed(const http::response& last, const export_status& status,
                                     std::optional<std::chrono::seconds> asked, int attempts,
                                     diagnostics& diag) {
    note_answer(last, diag);
    diag.retry_after = asked;
    namespace rb = pbi::detail::body;
    diag.error = rb::excerpt(status.error_code, rb::max_error_code);
    diag.server_message = rb::excerpt(status.error_message, rb::max_server_text);
    diag.message = "the export job " + status.id + " failed";
    if (attempts > 1)
        diag.message += " (submission " + std::to_string(attempts) + ")";
    if (!status.error_message.empty())
        diag.message += ": " + status.error_message;
    diag.hint =
        asked ? "Power BI asked for a resubmission and none is left (export_options::max_resubmits); "
                "try again later"
              : "check that the workspace is on a capacity that allows export, that the pages and filters "
                "exist and that the report renders in the service; quote the request id to support";
    return make_error_code(errc::export_failed);
}

inline asio::awaitable<std::error_code> sleep(asio::any_io_executor ex, clock::duration delay) {
    asio::steady_timer timer(ex, delay);
    auto wait = timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    auto [ec] = co_await std::move(wait);
    co_return ec;
}

// One request of the export, under the export's deadline: the client bounds each request by
// its own call timeout and waits out a 429 within this longer deadline. A Retry-After that
// would not end before it fails at once; say so in the export's terms.
inline asio::awaitable<result<http::response>> send(client& c, std::string method, std::string path,
                                                    std::string body, const call_options& options,
                                                    diagnostics& diag, std::string accept) {
    auto call = c.call(std::move(method), std::move(path), std::move(body), options, diag, std::move(accept));
    auto r = co_await std::move(call);
    const auto deadline = *options.deadline;
    if (r.ec == errc::throttled && diag.retry_after && clock::now() + *diag.retry_after >= deadline) {
        diag.message = "Power BI asked to wait " + seconds_text(*diag.retry_after) +
                       " (Retry-After), more than the " + seconds_text(deadline - clock::now()) +
                       " left before the export's deadline";
        diag.hint = "allow the export more time (export_options::call), or try again later";
    }
    co_return r;
}

// A failure after the job was submitted names it, in the message and in the result (its id,
// attempts and polls; no file): the service may still finish it, and its status and file stay
// reachable by that id.
inline result<export_result> job_failed(std::error_code ec, const export_result& out, diagnostics& diag) {
    if (!out.export_id.empty())
        diag.message += " [export job " + out.export_id + "]";
    export_result job;
    job.export_id = out.export_id;
    job.attempts = out.attempts;
    job.polls = out.polls;
    return {ec, std::move(job)};
}

// What a file download answered instead of the file, or empty when it may be the file. No
// export format is an HTML page or a JSON document, so a 200 carrying one is a gateway's or
// sign-in page's (or an error object), never the report: it must not be handed back as the file.
// (body::looks_like_html takes any '<' for HTML, and XML exports start with one.)
inline std::string not_a_file(std::string_view media, std::string_view body) {
    namespace rb = pbi::detail::body;
    const auto start = rb::skip_preamble(body);
    auto starts = [&](std::string_view prefix) {
        return rb::iequals(start.substr(0, prefix.size()), prefix);
    };
    if (rb::icontains(media, "html") || starts("<!doctype html") || starts("<html"))
        return "an HTML page";
    if (rb::is_json_media_type(media))
        return "JSON";
    return {};
}

inline std::string default_extension(export_format f, bool zip) {
    switch (f) {
    case export_format::png:
        return zip ? ".zip" : ".png";
    case export_format::pdf:
    case export_format::accessible_pdf:
        return ".pdf";
    case export_format::image:
        return {}; // depends on the OutputFormat setting
    default: {
        std::string ext = ".";
        for (const char* c = to_string(f); *c; ++c)
            ext += pbi::detail::body::lower(*c);
        return ext;
    }
    }
}

inline void report_progress(const export_options& options, const export_result& out, const export_status& s) {
    if (!options.on_progress)
        return;
    export_progress p;
    p.export_id = out.export_id;
    p.state = s.state;
    p.percent_complete = s.percent_complete;
    p.attempt = out.attempts;
    p.poll = out.polls;
    try {
        options.on_progress(p);
    } catch (...) { // a progress printer must not break the export
    }
}

} // namespace detail::export_flow

PBI_DECL asio::awaitable<result<export_result>> export_report(client& c, export_request request,
                                                              export_options options, diagnostics& diag) {
    namespace ef = detail::export_flow;
    using R = result<export_result>;
    diag.clear();
    options.call.deadline = options.call.effective_deadline(); // fixed now: every step shares it
    const auto deadline = *options.call.deadline;
    if (auto ec = ef::check_request(request, diag))
        co_return R{ec, {}};
    const std::string path = ef::report_path(request.report);

    const std::string json = "application/json";
    // 1. The report's type decides the formats and the body (g++ 12: create each awaitable first).
    auto lookup = ef::send(c, "GET", path, {}, options.call, diag, json);
    auto [lec, lres] = co_await std::move(lookup);
    if (lec)
        co_return R{lec, {}};
    report rep;
    if (auto pec = parse_report(lres.body, rep)) {
        detail::unreadable_answer(lres, "report", pec, diag);
        co_return R{pec, {}};
    }
    const bool paginated = rep.is_paginated();
    if (!export_format_supported(request.format, paginated))
        co_return R{ef::format_not_supported(request.format, rep, diag), {}};
    if (auto ec = ef::check_for_kind(request, rep, diag))
        co_return R{ec, {}};
    const std::string body = export_request_body(request, paginated);

    // 2. Submit, poll; resubmit a job that failed with a Retry-After.
    export_result out;
    export_status status;
    for (;;) {
        ++out.attempts;
        auto submit = ef::send(c, "POST", path + "/ExportTo", body, options.call, diag, json);
        auto [sec, last] = co_await std::move(submit);
        if (sec)
            co_return ef::job_failed(sec, out, diag);
        if (auto pec = parse_export_status(last.body, status)) {
            detail::unreadable_answer(last, "export job", pec, diag);
            co_return ef::job_failed(pec, out, diag);
        }
        out.export_id = status.id;
        auto asked = ef::retry_after(last);
        while (status.state != export_state::succeeded && status.state != export_state::failed) {
            const auto delay = ef::next_delay(asked, options.poll_interval);
            if (ef::clock::now() + delay > deadline)
                co_return ef::job_failed(ef::past_deadline(diag, asked, delay, deadline, "poll"), out, diag);
            auto pause = ef::sleep(c.get_executor(), delay);
            if (auto wec = co_await std::move(pause))
                co_return ef::job_failed(wec, out, diag);
            auto poll =
                ef::send(c, "GET", ef::export_path(path, out.export_id), {}, options.call, diag, json);
            auto [pec, polled] = co_await std::move(poll);
            if (pec)
                co_return ef::job_failed(pec, out, diag);
            ++out.polls;
            export_status next;
            if (auto jec = parse_export_status(polled.body, next)) {
                detail::unreadable_answer(polled, "export status", jec, diag);
                co_return ef::job_failed(jec, out, diag);
            }
            next.id = out.export_id; // keep addressing the job by the id it was created with
            status = std::move(next);
            asked = ef::retry_after(polled);
            last = std::move(polled);
            ef::report_progress(options, out, status);
        }
        if (status.state == export_state::succeeded)
            break;
        if (!asked || out.attempts - 1 >= options.max_resubmits)
            co_return ef::job_failed(ef::export_failed(last, status, asked, out.attempts, diag), out, diag);
        const auto delay = ef::next_delay(asked, options.poll_interval);
        if (ef::clock::now() + delay > deadline)
            co_return ef::job_failed(ef::past_deadline(diag, asked, delay, deadline, "resubmission"), out,
                                     diag);
        auto pause = ef::sleep(c.get_executor(), delay);
        if (auto wec = co_await std::move(pause))
            co_return ef::job_failed(wec, out, diag);
    }

    // 3. The file.
    // The file's own type comes back (image/png, application/zip, application/pdf, ...); accept
    // what the service's own SDK accepts for this request.
    std::string accept = "application/*, image/*, text/xml, text/csv, multipart/related";
    call_options file_options = options.call;
    file_options.max_response_bytes = options.max_file_bytes;
    auto download = ef::send(c, "GET", ef::export_path(path, out.export_id) + "/file", {}, file_options, diag,
                             std::move(accept));
    auto [fec, file] = co_await std::move(download);
    if (fec == errc::body_limit_exceeded) {
        diag.message = "the exported file is larger than export_options::max_file_bytes (" +
                       std::to_string(options.max_file_bytes) + " bytes); the job finished on the service";
        diag.hint = "raise export_options::max_file_bytes (the whole file is held in memory), or download "
                    "GET .../exports/{id}/file within 24 hours";
    }
    if (fec)
        co_return ef::job_failed(fec, out, diag);
    namespace rb = pbi::detail::body;
    if (auto type = file.headers.get("Content-Type"))
        out.content_type = std::string(*type);
    const auto media = rb::trim(std::string_view(out.content_type).substr(0, out.content_type.find(';')));
    if (const auto page = ef::not_a_file(media, file.body); !page.empty()) {
        detail::unreadable_answer(file, "exported file", errc::unexpected_content_type, diag);
        diag.message = "the export's file download answered HTTP " + std::to_string(file.status) + " with " +
                       page + " (Content-Type: " +
                       (out.content_type.empty() ? std::string("none") : rb::excerpt(out.content_type, 100)) +
                       ") instead of the file: a gateway, proxy or sign-in page?";
        diag.server_message = rb::page_summary(file.body);
        co_return ef::job_failed(errc::unexpected_content_type, out, diag);
    }
    out.bytes = std::move(file.body);
    const bool zipped =
        rb::iequals(media, "application/zip") || rb::iequals(media, "application/x-zip-compressed") ||
        (status.resource_file_extension && rb::iequals(*status.resource_file_extension, ".zip"));
    out.file_extension =
        status.resource_file_extension.value_or(ef::default_extension(request.format, zipped));
    out.is_zip = request.format == export_format::png && (zipped || out.bytes.rfind("PK\x03\x04", 0) == 0);
    co_return R{{}, std::move(out)};
}

} // namespace pbi::powerbi
