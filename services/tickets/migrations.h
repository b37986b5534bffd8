#pragma once

#include <vector>

#include "common/migrations.h"

namespace aftersales::tickets {

// The schema of the tickets database, compiled in from services/tickets/migrations/*.sql.
const std::vector<aftersales::Migration>& Migrations();

}  // namespace aftersales::tickets
