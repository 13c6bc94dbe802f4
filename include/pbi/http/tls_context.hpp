// pbi-async — the TLS client context: TLS 1.2+, peer verification always on, chosen trust anchors.
#pragma once

#include <pbi/config.hpp>

#include <asio/ssl/context.hpp>

#include <string>
#include <vector>

namespace pbi::http {

/// Trust anchors. Chain and host-name verification are always on; there is no switch to skip them.
struct tls_options {
    bool use_system_trust_store = true;      ///< the OS store (Debian: /etc/ssl/certs)
    std::vector<std::string> extra_ca_pem;   ///< PEM text of extra anchors (the emulator's CA, a proxy's CA)
    std::vector<std::string> extra_ca_files; ///< files holding PEM anchors
};

/// Builds a client context: TLS 1.2 or newer, `verify_peer`, the system trust store when
/// `use_system_trust_store`, plus every extra anchor. Host names are checked per connection
/// (see tls_connection), not here.
///
/// Throws pbi::error (errc::invalid_argument, with diagnostics naming the bad entry) when an
/// extra PEM text or file holds no usable certificate.
PBI_DECL asio::ssl::context make_tls_context(const tls_options& options);

} // namespace pbi::http

#if defined(PBI_HEADER_ONLY)
#include <pbi/http/impl/tls_context.ipp>
#endif
