// pbi-async — libFuzzer target: the Power BI model parsers (powerbi/models.hpp, dashboard.hpp,
// dataset.hpp, the export status of export.hpp) and the error parser (powerbi/error_parser.hpp). Every parser
// sees every input; the first byte picks the status and headers given to parse_powerbi_error.
#include <pbi/powerbi/dashboard.hpp>
#include <pbi/powerbi/dataset.hpp>
#include <pbi/powerbi/error_parser.hpp>
#include <pbi/powerbi/export.hpp>
#include <pbi/powerbi/models.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const std::uint8_t control = data[0];
    std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
    using namespace pbi::powerbi;

    std::vector<workspace> workspaces;
    (void)parse_workspaces(body, workspaces);
    std::vector<report> reports;
    (void)parse_reports(body, reports);
    report one;
    (void)parse_report(body, one);
    std::vector<page> pages;
    (void)parse_pages(body, pages);
    embed_token token;
    (void)parse_embed_token(body, token);
    (void)parse_datetime(body);
    std::vector<dashboard> dashboards;
    (void)parse_dashboards(body, dashboards);
    dashboard board;
    (void)parse_dashboard(body, board);
    std::vector<tile> tiles;
    (void)parse_tiles(body, tiles);
    tile one_tile;
    (void)parse_tile(body, one_tile);
    std::vector<dataset> datasets;
    (void)parse_datasets(body, datasets);
    dataset one_dataset;
    (void)parse_dataset(body, one_dataset);
    std::vector<refresh_entry> refreshes;
    (void)parse_refreshes(body, refreshes);
    export_status status;
    (void)parse_export_status(body, status);

    static constexpr std::array<int, 8> statuses = {400, 401, 403, 404, 429, 500, 503, 200};
    pbi::http::fields headers;
    if (control & 0x08)
        headers.add("RequestId", "5f0c7d7e-0000-0000-0000-000000000000");
    if (control & 0x10)
        headers.add("X-PowerBI-Error-Info", std::string(body.substr(0, body.size() / 4)));
    if (control & 0x20)
        headers.add("Retry-After", (control & 0x40) ? "Wed, 01 May 2024 10:02:00 GMT" : "3600");
    if (control & 0x80)
        headers.add("Date", "Wed, 01 May 2024 10:00:00 GMT");
    pbi::diagnostics diag;
    (void)parse_powerbi_error(statuses[control & 0x07], headers, body, diag);
    (void)classify_effective_identity_error(diag.server_message);
    return 0;
}
