// Bodies for pbi/http/tls_context.hpp.
#pragma once

#include <pbi/exception.hpp>
#include <pbi/http/tls_context.hpp>

#include <asio/buffer.hpp>
#include <openssl/ssl.h>

#include <string>

namespace pbi::http {

namespace detail {

[[noreturn]] inline void throw_bad_anchor(const std::string& what, const std::string& reason) {
    diagnostics d;
    d.message = "cannot load the extra trusted CA " + what + ": " + reason;
    d.hint = "give PEM text (-----BEGIN CERTIFICATE-----) of the CA certificate in tls_options";
    throw pbi::error(make_error_code(errc::invalid_argument), std::move(d));
}

} // namespace detail

PBI_DECL asio::ssl::context make_tls_context(const tls_options& options) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression);
    ::SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    ctx.set_verify_mode(asio::ssl::verify_peer);

    if (options.use_system_trust_store) {
        std::error_code ec;
        ctx.set_default_verify_paths(ec); // a missing store only means fewer anchors
    }
    for (std::size_t i = 0; i < options.extra_ca_pem.size(); ++i) {
        const std::string& pem = options.extra_ca_pem[i];
        const std::string what = "(extra_ca_pem[" + std::to_string(i) + "])";
        if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
            detail::throw_bad_anchor(what, "no PEM certificate in the text");
        std::error_code ec;
        ctx.add_certificate_authority(asio::buffer(pem), ec);
        if (ec)
            detail::throw_bad_anchor(what, ec.message());
    }
    for (const std::string& file : options.extra_ca_files) {
        std::error_code ec;
        ctx.load_verify_file(file, ec);
        if (ec)
            detail::throw_bad_anchor("file \"" + file + "\"", ec.message());
    }
    return ctx;
}

} // namespace pbi::http
