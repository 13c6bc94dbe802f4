// pbi-async — umbrella header: everything a host needs to sign in and call Power BI.
#pragma once

#include <pbi/call_options.hpp>
#include <pbi/cloud.hpp>
#include <pbi/config.hpp>
#include <pbi/diagnostics.hpp>
#include <pbi/entra/access_token.hpp>
#include <pbi/entra/credential.hpp>
#include <pbi/entra/discovery.hpp>
#include <pbi/entra/token_source.hpp>
#include <pbi/error.hpp>
#include <pbi/exception.hpp>
#include <pbi/http/client.hpp>
#include <pbi/powerbi/client.hpp>
#include <pbi/powerbi/dashboard.hpp>
#include <pbi/powerbi/dataset.hpp>
#include <pbi/powerbi/embed_token_cache.hpp>
#include <pbi/powerbi/export.hpp>
#include <pbi/powerbi/models.hpp>
#include <pbi/secret.hpp>
