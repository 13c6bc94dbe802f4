// Second translation unit (see report_line.hpp): includes every public entry point again.
#include "report_line.hpp"

#include <pbi/pbi.hpp>
#include <pbi/testing/emulator.hpp>

namespace consumer {

std::string report_line(const pbi::powerbi::report& r) {
    return r.name + " [" + r.report_type + "] " + r.id;
}

} // namespace consumer
