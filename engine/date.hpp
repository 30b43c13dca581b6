#pragma once
// Calendar dates as day counts, so date arithmetic is exact and cheap.
#include <optional>
#include <string>
#include <string_view>

namespace trialmatch {

struct Date {
  int days = 0;  // days since 1970-01-01
  auto operator<=>(const Date&) const = default;
};

// Strict ISO 8601 calendar date "YYYY-MM-DD"; with allow_time, a FHIR
// dateTime ("2020-01-02T10:00:00Z") is accepted and its date part used.
std::optional<Date> parse_iso_date(std::string_view text, bool allow_time = false);

std::string format_iso_date(Date date);

Date today_utc();

// Completed years between birth and on (birthdays on Feb 29 count on Mar 1
// in common years, as civil law does in most jurisdictions).
int completed_years(Date birth, Date on);
int completed_months(Date birth, Date on);

// Calendar arithmetic: `amount` days, weeks, months or years after `d`
// (negative: before). Month ends clamp: 2026-03-31 minus 1 month = 2026-02-28.
Date add(Date d, int amount, const std::string& unit);

// The same with the unit read once: "day(s)", "week(s)", "year(s)"; any
// other word counts in months, as add() does.
enum class TimeUnit : unsigned char { days, weeks, months, years };
TimeUnit time_unit_of(std::string_view unit);
Date add(Date d, int amount, TimeUnit unit);

}  // namespace trialmatch
