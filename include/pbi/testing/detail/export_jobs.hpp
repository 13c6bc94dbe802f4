// pbi-async — emulator internals: the export jobs ExportTo created and the scripts they follow.
#pragma once

#include <pbi/testing/detail/emulator_types.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace pbi::testing::detail {

/// One export job (POST .../ExportTo). Its status moves only when it is polled.
struct export_job {
    std::string id; // base64-like, with '+', '/' and '='
    std::string group_id, report_id, report_name;
    std::string format;       // the wire name, upper case
    std::string image_format; // IMAGE: the OutputFormat format setting, upper case (TIFF when absent)
    bool paginated = false;
    std::vector<std::string> pages; // the page names a Power BI report export renders
    std::vector<emulator_export_step> steps;
    std::size_t next_step = 0;
    emulator_export_step current; // what the last poll answered (NotStarted before the first)
    std::chrono::system_clock::time_point created, last_action;
};

/// Callers hold emulator_state::mutex.
struct export_jobs {
    std::deque<std::vector<emulator_export_step>> scripts; // one per coming job, oldest first
    std::deque<export_job> jobs;                           // newest last

    static constexpr std::size_t max_jobs = 1024; // a long-running emulator forgets the oldest

    export_job* find(std::string_view id) {
        for (auto& j : jobs) {
            if (j.id == id) { // base64: case matters
                return &j;
            }
        }
        return nullptr;
    }
};

} // namespace pbi::testing::detail
