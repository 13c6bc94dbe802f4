// A second translation unit's interface: the consumer is built from two TUs that both include
// the SDK, so a non-inline definition in a header-only body shows up as a link error.
#pragma once

#include <pbi/powerbi/models.hpp>

#include <string>

namespace consumer {
std::string report_line(const pbi::powerbi::report& r);
}
