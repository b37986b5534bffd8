// Throughput of the pure return decision (DecideReturnShipping) over a varied mix of requests:
// every reason and condition, remorse and seller fault, local and China-bound returns, EU, UK,
// US and JP sites, low-value and insured items, late and refused requests, FBA orders.
//   build/tests/bench/return_rules_bench --benchmark_min_time=2
// Target: >= 1,000,000 decisions/s on one core (items_per_second).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "services/returns/return_rules.h"

namespace aftersales::returns {
namespace {

struct Sample {
  ReturnRequest request;
  const ReturnPolicy* policy;
};

struct Mix {
  std::vector<ReturnPolicy> policies;
  std::vector<Sample> samples;
};

Mix BuildMix() {
  Mix mix;
  mix.policies.reserve(5);
  mix.policies.push_back(DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  ReturnPolicy us_local = DefaultReturnPolicy(Marketplace::kAmazon, "US");
  us_local.local_return_countries = {"US"};
  us_local.accept_late_returns = true;
  mix.policies.push_back(us_local);
  ReturnPolicy de = DefaultReturnPolicy(Marketplace::kAmazon, "DE");
  de.warehouse_countries = {"DE"};
  mix.policies.push_back(de);
  mix.policies.push_back(DefaultReturnPolicy(Marketplace::kAmazon, "UK"));
  mix.policies.push_back(DefaultReturnPolicy(Marketplace::kAmazon, "JP"));

  const absl::Time delivered = absl::FromCivil(absl::CivilDay(2026, 3, 2), absl::UTCTimeZone());
  const int64_t prices[] = {9'99, 24'99, 39'99, 80'00, 149'00, 620'00};
  const int days[] = {3, 12, 20, 29, 35, 95};
  const int weights[] = {250, 800, 1800, 4500};
  const ProductCategory categories[] = {ProductCategory::kGeneral, ProductCategory::kElectronics,
                                        ProductCategory::kBeauty,  ProductCategory::kWatches,
                                        ProductCategory::kBaby,    ProductCategory::kGiftCard,
                                        ProductCategory::kHazmat,  ProductCategory::kApparel};
  int n = 0;
  for (size_t pi = 0; pi < mix.policies.size(); ++pi) {
    const ReturnPolicy& policy = mix.policies[pi];
    const std::string country = SiteCountry(policy.site);
    for (int reason = 0; reason < 8; ++reason) {
      for (int condition = 0; condition < 4; ++condition) {
        ReturnRequest r;
        r.store_id = "store-1";
        r.marketplace = policy.marketplace;
        r.site = policy.site;
        r.order_id = "order-1";
        r.buyer_country = country;
        r.fulfillment = n % 23 == 0 ? Fulfillment::kPlatform : Fulfillment::kMerchant;
        r.category = categories[n % 8];
        r.item_price = Money{prices[n % 6], policy.currency_code};
        r.item_cost = Money{prices[(n + 3) % 6] / 3, policy.currency_code};
        r.quantity = 1 + n % 3;
        r.outbound_shipping = Money{n % 2 == 0 ? 0 : 4'99, policy.currency_code};
        r.delivered_at = delivered;
        r.requested_at = delivered + absl::Hours(24 * days[n % 6]) + absl::Minutes(n);
        r.reason = static_cast<ReturnReason>(reason);
        r.condition = static_cast<ItemCondition>(condition);
        r.weight_grams = weights[n % 4];
        mix.samples.push_back(Sample{r, &policy});
        ++n;
      }
    }
  }
  return mix;
}

void BM_DecideReturnShipping(benchmark::State& state) {
  const Mix mix = BuildMix();
  size_t i = 0;
  for (auto _ : state) {
    const Sample& s = mix.samples[i];
    ReturnShippingDecision d = DecideReturnShipping(s.request, *s.policy);
    benchmark::DoNotOptimize(d);
    if (++i == mix.samples.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["mix"] = static_cast<double>(mix.samples.size());
}
BENCHMARK(BM_DecideReturnShipping);

// The handler's path: validation plus decision.
void BM_QuoteReturnShipping(benchmark::State& state) {
  const Mix mix = BuildMix();
  size_t i = 0;
  for (auto _ : state) {
    const Sample& s = mix.samples[i];
    absl::StatusOr<ReturnShippingDecision> d = QuoteReturnShipping(s.request, *s.policy);
    benchmark::DoNotOptimize(d);
    if (++i == mix.samples.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QuoteReturnShipping);

}  // namespace
}  // namespace aftersales::returns

BENCHMARK_MAIN();
