// Bodies for pbi/http/date.hpp.
#pragma once

#include <pbi/http/date.hpp>

#include <array>
#include <cstdint>

namespace pbi::http {
namespace detail::date_text {

constexpr std::array<std::string_view, 7> day_short{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> day_long{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                   "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> month_short{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// A cursor over the text; every reader consumes on success only.
struct cursor {
    std::string_view s;

    bool literal(std::string_view lit) {
        if (s.substr(0, lit.size()) != lit)
            return false;
        s.remove_prefix(lit.size());
        return true;
    }
    // Exactly `n` digits.
    bool digits(std::size_t n, int& out) {
        if (s.size() < n)
            return false;
        int v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            char c = s[i];
            if (c < '0' || c > '9')
                return false;
            v = v * 10 + (c - '0');
        }
        s.remove_prefix(n);
        out = v;
        return true;
    }
    template <std::size_t N>
    bool one_of(const std::array<std::string_view, N>& names, int& index) {
        for (std::size_t i = 0; i < N; ++i)
            if (literal(names[i])) {
                index = static_cast<int>(i);
                return true;
            }
        return false;
    }
    // "HH:MM:SS"
    bool time_of_day(int& h, int& m, int& sec) {
        return digits(2, h) && literal(":") && digits(2, m) && literal(":") && digits(2, sec) && h <= 23 &&
               m <= 59 && sec <= 60;
    }
};

inline std::optional<std::chrono::system_clock::time_point> make_time(int year, int month, int day, int h,
                                                                      int m, int sec) {
    using namespace std::chrono;
    year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                       std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok())
        return std::nullopt;
    auto t = sys_days{ymd} + hours{h} + minutes{m} + seconds{sec};
    return time_point_cast<system_clock::duration>(t);
}

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

} // namespace detail::date_text

PBI_DECL std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
    namespace d = detail::date_text;
    int wday = 0, day = 0, month = 0, year = 0, h = 0, m = 0, sec = 0;

    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    {
        d::cursor c{d::trim(text)};
        if (c.one_of(d::day_short, wday) && c.literal(", ") && c.digits(2, day) && c.literal(" ") &&
            c.one_of(d::month_short, month) && c.literal(" ") && c.digits(4, year) && c.literal(" ") &&
            c.time_of_day(h, m, sec) && c.literal(" GMT") && c.s.empty())
            return d::make_time(year, month + 1, day, h, m, sec);
    }
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
    {
        d::cursor c{d::trim(text)};
        if (c.one_of(d::day_long, wday) && c.literal(", ") && c.digits(2, day) && c.literal("-") &&
            c.one_of(d::month_short, month) && c.literal("-") && c.digits(2, year) && c.literal(" ") &&
            c.time_of_day(h, m, sec) && c.literal(" GMT") && c.s.empty())
            return d::make_time(year < 70 ? 2000 + year : 1900 + year, month + 1, day, h, m, sec);
    }
    // asctime: "Sun Nov  6 08:49:37 1994"
    {
        d::cursor c{d::trim(text)};
        if (c.one_of(d::day_short, wday) && c.literal(" ") && c.one_of(d::month_short, month) &&
            c.literal(" ")) {
            bool day_ok = c.literal(" ") ? c.digits(1, day) : c.digits(2, day);
            if (day_ok && c.literal(" ") && c.time_of_day(h, m, sec) && c.literal(" ") && c.digits(4, year) &&
                c.s.empty())
                return d::make_time(year, month + 1, day, h, m, sec);
        }
    }
    return std::nullopt;
}

PBI_DECL std::string format_http_date(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    namespace d = detail::date_text;
    auto secs = floor<seconds>(t);
    auto days = floor<std::chrono::days>(secs);
    year_month_day ymd{days};
    hh_mm_ss<seconds> tod{secs - days};
    weekday wd{days};

    auto two = [](unsigned v) {
        std::string out(2, '0');
        out[0] = static_cast<char>('0' + (v / 10) % 10);
        out[1] = static_cast<char>('0' + v % 10);
        return out;
    };
    int y = static_cast<int>(ymd.year());
    std::string year = std::to_string(y);
    while (year.size() < 4)
        year.insert(year.begin(), '0');

    std::string out;
    out.reserve(29);
    out += d::day_short[wd.c_encoding()];
    out += ", ";
    out += two(static_cast<unsigned>(ymd.day()));
    out += ' ';
    out += d::month_short[static_cast<unsigned>(ymd.month()) - 1];
    out += ' ';
    out += year;
    out += ' ';
    out += two(static_cast<unsigned>(tod.hours().count()));
    out += ':';
    out += two(static_cast<unsigned>(tod.minutes().count()));
    out += ':';
    out += two(static_cast<unsigned>(tod.seconds().count()));
    out += " GMT";
    return out;
}

PBI_DECL std::optional<std::chrono::seconds>
parse_retry_after(std::string_view value, std::optional<std::chrono::system_clock::time_point> reference) {
    using namespace std::chrono;
    constexpr std::int64_t cap = 2147483647;
    auto v = detail::date_text::trim(value);
    if (v.empty())
        return std::nullopt;

    if (v.find_first_not_of("0123456789") == std::string_view::npos) {
        std::int64_t n = 0;
        for (char c : v) {
            n = n * 10 + (c - '0');
            if (n > cap)
                return seconds{cap};
        }
        return seconds{n};
    }
    auto date = parse_http_date(v);
    if (!date || !reference)
        return std::nullopt;
    if (*date <= *reference)
        return seconds{0};
    auto delay = ceil<seconds>(*date - *reference);
    return delay.count() > cap ? seconds{cap} : delay;
}

} // namespace pbi::http
