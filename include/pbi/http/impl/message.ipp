// Bodies for pbi/http/message.hpp.
#pragma once

#include <pbi/http/message.hpp>

#include <string>

namespace pbi::http {

PBI_DECL bool response::keep_alive() const noexcept {
    bool close = false;
    bool keep = false;
    for (const auto& f : headers) {
        if (!iequals(f.name, "Connection"))
            continue;
        detail::for_each_list_element(f.value, [&](std::string_view t) {
            if (iequals(t, "close"))
                close = true;
            else if (iequals(t, "keep-alive"))
                keep = true;
        });
    }
    if (close || (version_minor == 0 && !keep))
        return false;
    const bool has_te = headers.contains("Transfer-Encoding");
    const bool has_cl = headers.contains("Content-Length");
    if (has_te && has_cl)
        return false;
    const bool bodiless_status = (status >= 100 && status < 200) || status == 204 || status == 304;
    if (!bodiless_status && !has_te && !has_cl)
        return false; // the body (if any) ended with the connection
    return true;
}

PBI_DECL bool is_valid_header(std::string_view name, std::string_view value) noexcept {
    return detail::is_token(name) && detail::is_field_value(value);
}

PBI_DECL bool is_valid_request(const request& req) noexcept {
    if (!detail::is_token(req.method) || req.target.empty())
        return false;
    for (char c : req.target) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f)
            return false;
    }
    for (const auto& f : req.headers)
        if (!is_valid_header(f.name, f.value))
            return false;
    return true;
}

PBI_DECL std::string serialize(const request& req, std::string_view host_header) {
    const bool body_method = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    const bool add_length = (!req.body.empty() || body_method) && !req.headers.contains("Content-Length") &&
                            !req.headers.contains("Transfer-Encoding");
    const std::string length = add_length ? std::to_string(req.body.size()) : std::string();

    std::size_t size =
        req.method.size() + req.target.size() + 12 + 8 + host_header.size() + 2 + 2 + req.body.size();
    for (const auto& f : req.headers)
        size += f.name.size() + f.value.size() + 4;
    if (add_length)
        size += 18 + length.size();

    std::string out;
    out.reserve(size);
    out.append(req.method).append(" ").append(req.target).append(" HTTP/1.1\r\n");
    out.append("Host: ").append(host_header).append("\r\n");
    for (const auto& f : req.headers) {
        if (iequals(f.name, "Host"))
            continue;
        out.append(f.name).append(": ").append(f.value).append("\r\n");
    }
    if (add_length)
        out.append("Content-Length: ").append(length).append("\r\n");
    out.append("\r\n");
    out.append(req.body);
    return out;
}

} // namespace pbi::http
