// pbi-async — include in exactly one translation unit when PBI_SEPARATE_COMPILATION is defined.
#pragma once

#if !defined(PBI_SEPARATE_COMPILATION)
#error "include <pbi/src.hpp> only with PBI_SEPARATE_COMPILATION defined"
#endif

#include <pbi/entra/impl/access_token.ipp>
#include <pbi/entra/impl/credential.ipp>
#include <pbi/entra/impl/discovery.ipp>
#include <pbi/entra/impl/openid_configuration.ipp>
#include <pbi/entra/impl/realm.ipp>
#include <pbi/entra/impl/token_codec.ipp>
#include <pbi/entra/impl/token_grant.ipp>
#include <pbi/http/impl/client.ipp>
#include <pbi/http/impl/connection.ipp>
#include <pbi/http/impl/date.ipp>
#include <pbi/http/impl/encoding.ipp>
#include <pbi/http/impl/fields.ipp>
#include <pbi/http/impl/message.ipp>
#include <pbi/http/impl/proxy.ipp>
#include <pbi/http/impl/proxy_tunnel.ipp>
#include <pbi/http/impl/response_parser.ipp>
#include <pbi/http/impl/tls_context.ipp>
#include <pbi/http/impl/url.ipp>
#include <pbi/impl/cloud.ipp>
#include <pbi/impl/diagnostics.ipp>
#include <pbi/impl/error.ipp>
#include <pbi/powerbi/impl/client.ipp>
#include <pbi/powerbi/impl/error_parser.ipp>
#include <pbi/powerbi/impl/models.ipp>
#include <pbi/refresh/impl/refresh_policy.ipp>
#include <pbi/testing/impl/certificates.ipp>
#include <pbi/testing/impl/connect_proxy.ipp>
#include <pbi/testing/impl/emulator.ipp>
#include <pbi/powerbi/impl/dashboard.ipp>
#include <pbi/powerbi/impl/dataset.ipp>
#include <pbi/powerbi/impl/embed_token_cache.ipp>
#include <pbi/powerbi/impl/retry_policy.ipp>
#include <pbi/powerbi/impl/export.ipp>
#include <pbi/powerbi/impl/embed_token_subscription.ipp>
