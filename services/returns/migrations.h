#pragma once

#include <vector>

#include "common/migrations.h"

namespace aftersales::returns {

// The schema of the returns database, compiled in from services/returns/migrations/*.sql.
const std::vector<aftersales::Migration>& Migrations();

}  // namespace aftersales::returns
