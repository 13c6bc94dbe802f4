// Bodies for pbi/http/proxy_tunnel.hpp.
#pragma once

#include <pbi/error.hpp>
#include <pbi/http/fields.hpp>
#include <pbi/http/proxy_tunnel.hpp>

namespace pbi::http {

namespace detail {

PBI_DECL std::string base64_encode(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        out.push_back(alphabet[(v >> 6) & 63]);
        out.push_back(alphabet[v & 63]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        if (rest == 2)
            v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        out.push_back(rest == 2 ? alphabet[(v >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

namespace tunnel {

inline std::string status_text(const response& r) {
    std::string s = std::to_string(r.status);
    if (!r.reason.empty())
        s += " " + r.reason;
    return s;
}

// The authentication schemes a 407 offers, e.g. "Negotiate, NTLM" (names only, never parameters).
inline std::string offered_schemes(const response& r, bool& basic) {
    basic = false;
    std::string out;
    for (const auto& f : r.headers) {
        if (!iequals(f.name, "Proxy-Authenticate"))
            continue;
        std::string_view v = f.value;
        const auto sp = v.find_first_of(" \t,");
        const std::string_view scheme = v.substr(0, sp);
        if (scheme.empty())
            continue;
        if (iequals(scheme, "Basic"))
            basic = true;
        if (!out.empty())
            out += ", ";
        out += scheme;
    }
    return out;
}

} // namespace tunnel
} // namespace detail

PBI_DECL std::string connect_target(const url& origin) {
    const bool ipv6 = origin.host.find(':') != std::string::npos;
    std::string out;
    if (ipv6)
        out.append("[").append(origin.host).append("]");
    else
        out.append(origin.host);
    return out + ":" + std::to_string(origin.port);
}

PBI_DECL pbi::secret make_connect_request(const proxy_server& proxy, const url& origin) {
    const std::string target = connect_target(origin);
    std::string out;
    out.reserve(160);
    out.append("CONNECT ").append(target).append(" HTTP/1.1\r\n");
    out.append("Host: ").append(target).append("\r\n");
    out.append("User-Agent: pbi-async/").append(pbi::version_string).append("\r\n");
    if (proxy.has_credentials()) {
        pbi::secret pair(proxy.username + ":" + proxy.password.reveal());
        pbi::secret encoded(detail::base64_encode(pair.reveal()));
        out.append("Proxy-Authorization: Basic ").append(encoded.reveal()).append("\r\n");
    }
    out.append("\r\n");
    return pbi::secret(std::move(out));
}

PBI_DECL std::error_code check_connect_response(const response& answer, const proxy_server& proxy,
                                                const url& origin, diagnostics& diag) {
    if (answer.status >= 200 && answer.status < 300)
        return {};
    const std::string where = proxy.display();
    const std::string target = connect_target(origin);
    diag.source = failure_source::transport;
    diag.proxy = where;
    diag.proxy_status = answer.status;
    const std::string status = detail::tunnel::status_text(answer);

    if (answer.status == 407) {
        bool basic = false;
        const std::string schemes = detail::tunnel::offered_schemes(answer, basic);
        if (proxy.has_credentials()) {
            diag.message =
                "the proxy " + where + " rejected the credentials configured for it (" + status + ")";
            diag.hint = "check the user name and password in the proxy URL (HTTPS_PROXY / proxy_config); "
                        "percent-encode reserved characters such as @ : / % in them";
        } else {
            diag.message = "the proxy " + where + " requires authentication to open a tunnel to " + target +
                           " (" + status + ")";
            diag.hint = "give credentials in the proxy URL, http://user:password@host:port (percent-encode "
                        "reserved characters such as @ : / %), or in proxy_server::username and password";
        }
        if (!schemes.empty() && !basic)
            diag.hint += "; note that the proxy offers only " + schemes +
                         ", and this SDK sends Basic credentials only: ask for Basic authentication or a "
                         "proxy exception for " +
                         origin.host;
        return make_error_code(errc::proxy_auth_required);
    }
    if (answer.status < 200) {
        diag.message = "the proxy " + where + " answered CONNECT " + target + " with " + status +
                       " instead of opening a tunnel";
        diag.hint = "check that " + where + " is an HTTP proxy that supports CONNECT";
        return make_error_code(errc::proxy_protocol_error);
    }
    if (answer.status >= 500) {
        diag.message = "the proxy " + where + " could not open a tunnel to " + target + " (" + status + ")";
        diag.hint = "the proxy failed to reach " + target +
                    ": check the host name and port, and that the proxy may reach them; try again later";
    } else {
        diag.message = "the proxy " + where + " refused to open a tunnel to " + target + " (" + status + ")";
        diag.hint = "the proxy's policy does not allow this destination: ask its administrators to allow " +
                    target + ", or list " + origin.host + " in NO_PROXY if it can be reached directly";
    }
    return make_error_code(errc::proxy_refused);
}

} // namespace pbi::http
