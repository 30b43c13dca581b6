#include "engine/date.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace trialmatch {

namespace {
using namespace std::chrono;

year_month_day to_ymd(Date d) { return year_month_day{sys_days{days{d.days}}}; }
}  // namespace

std::optional<Date> parse_iso_date(std::string_view text, bool allow_time) {
  if (text.size() > 10) {
    if (!allow_time || text[10] != 'T') return std::nullopt;
    text = text.substr(0, 10);
  }
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') [[unlikely]] return std::nullopt;
  auto digit = [&](std::size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(text[i]) - '0'); };
  const unsigned y0 = digit(0), y1 = digit(1), y2 = digit(2), y3 = digit(3), m0 = digit(5), m1 = digit(6), d0 = digit(8),
                 d1 = digit(9);
  // Unsigned: a byte below '0' wraps far above 9.
  if (y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 || m0 > 9 || m1 > 9 || d0 > 9 || d1 > 9) [[unlikely]] return std::nullopt;
  const int year = static_cast<int>(y0 * 1000 + y1 * 100 + y2 * 10 + y3);
  const unsigned month = m0 * 10 + m1, day = d0 * 10 + d1;
  // Checked and converted by hand: profiles hold millions of dates, and
  // this is several times faster than going through year_month_day.
  static constexpr unsigned month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) [[unlikely]] return std::nullopt;
  // Divisible by 100 = by 4 and by 25; by 400 = by 16 and by 25.
  const unsigned uyear = static_cast<unsigned>(year);
  const bool leap = (uyear & 3) == 0 && (uyear % 25 != 0 || (uyear & 15) == 0);
  if (day > month_days[month - 1] + (month == 2 && leap)) [[unlikely]] return std::nullopt;
  // Days from civil (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"),
  // shifted by one 400-year era so every quantity is unsigned and the
  // divisions by constants become multiplications.
  const unsigned yy = uyear + 400 - (month <= 2);
  const unsigned era = yy / 400, yoe = yy % 400;
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return Date{(static_cast<int>(era) - 1) * 146097 + static_cast<int>(doe) - 719468};
}

std::string format_iso_date(Date date) {
  auto ymd = to_ymd(date);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

Date today_utc() {
  auto now = floor<days>(system_clock::now());
  return Date{static_cast<int>(now.time_since_epoch().count())};
}

int completed_years(Date birth, Date on) {
  auto b = to_ymd(birth), o = to_ymd(on);
  int years = static_cast<int>(o.year()) - static_cast<int>(b.year());
  auto bm = static_cast<unsigned>(b.month()), om = static_cast<unsigned>(o.month());
  auto bd = static_cast<unsigned>(b.day()), od = static_cast<unsigned>(o.day());
  if (om < bm || (om == bm && od < bd)) --years;
  return years;
}

int completed_months(Date birth, Date on) {
  auto b = to_ymd(birth), o = to_ymd(on);
  int months = (static_cast<int>(o.year()) - static_cast<int>(b.year())) * 12 +
               (static_cast<int>(static_cast<unsigned>(o.month())) - static_cast<int>(static_cast<unsigned>(b.month())));
  if (static_cast<unsigned>(o.day()) < static_cast<unsigned>(b.day())) --months;
  return months;
}

TimeUnit time_unit_of(std::string_view unit) {
  if (unit == "days" || unit == "day") return TimeUnit::days;
  if (unit == "weeks" || unit == "week") return TimeUnit::weeks;
  if (unit == "years" || unit == "year") return TimeUnit::years;
  return TimeUnit::months;
}

Date add(Date d, int amount, const std::string& unit) { return add(d, amount, time_unit_of(unit)); }

Date add(Date d, int amount, TimeUnit unit) {
  // Beyond any calendar a criterion means; keeps the arithmetic in range.
  amount = std::clamp(amount, -100000, 100000);
  if (unit == TimeUnit::days) return Date{d.days + amount};
  if (unit == TimeUnit::weeks) return Date{d.days + 7 * amount};
  int months = unit == TimeUnit::years ? 12 * amount : amount;
  auto ymd = to_ymd(d);
  year_month_day shifted = ymd + std::chrono::months{months};
  if (!shifted.ok()) shifted = year_month_day{shifted.year() / shifted.month() / std::chrono::last};
  return Date{static_cast<int>(sys_days{shifted}.time_since_epoch().count())};
}

}  // namespace trialmatch
