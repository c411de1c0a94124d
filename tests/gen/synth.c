/* synth.c: synthetic case files for the demo store, tests and benchmarks.
 *
 * Every person is invented: names are drawn independently from weighted lists
 * per origin, and national ids are built from the drawn birth date and sex
 * with fresh individual numbers, so any resemblance to a real person is
 * coincidence. The output depends only on the seed (no clock, no rand(), no
 * locale), so a failing test can be reproduced from its seed alone. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/validate.h"
#include "tests/gen/synth.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Ages are counted back from a fixed day rather than today, so the same seed
 * gives the same file next year too; every birth date is on or before it. */
#define REFERENCE_DATE "2024-12-31"

/* ---- deterministic randomness ------------------------------------------- */

struct rng {
	uint64_t s;
};

/* splitmix64: tiny, full-period, and every seed (0 included) is good. */
static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n): rejection keeps small ranges free of modulo bias. */
static uint64_t rng_below(struct rng *r, uint64_t n)
{
	if (n == 0)
		return 0;
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;

	do
		x = rng_next(r);
	while (x >= limit);
	return x % n;
}

static int rng_range(struct rng *r, int lo, int hi)
{
	return lo + (int)rng_below(r, (uint64_t)hi - (uint64_t)lo + 1);
}

static bool rng_pct(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

/* ---- weighted tables ------------------------------------------------------ */

struct pick {
	const char *s;
	unsigned w;
};

/* A name as written in its own script and in the Latin spelling a Norwegian
 * office would record; native is NULL when the two are the same. Spelling
 * variants (Mohammed, Muhammad) are separate rows with the same native form. */
struct name {
	const char *native;
	const char *latin;
	unsigned w;
};

static const char *pick(struct rng *r, const struct pick *p, size_t n)
{
	unsigned total = 0;

	for (size_t i = 0; i < n; i++)
		total += p[i].w;
	uint64_t x = rng_below(r, total);
	for (size_t i = 0; i < n; i++) {
		if (x < p[i].w)
			return p[i].s;
		x -= p[i].w;
	}
	return p[n - 1].s;
}

static const struct name *pick_name(struct rng *r, const struct name *p, size_t n)
{
	unsigned total = 0;

	for (size_t i = 0; i < n; i++)
		total += p[i].w;
	uint64_t x = rng_below(r, total);
	for (size_t i = 0; i < n; i++) {
		if (x < p[i].w)
			return &p[i];
		x -= p[i].w;
	}
	return &p[n - 1];
}

/* ---- origins ---------------------------------------------------------------- */

static const struct name ua_female[] = {
    {"Олена", "Olena", 12},      {"Оксана", "Oksana", 9},      {"Наталія", "Nataliia", 6},
    {"Наталія", "Natalia", 3},   {"Тетяна", "Tetiana", 7},     {"Тетяна", "Tetyana", 2},
    {"Ганна", "Hanna", 6},       {"Ірина", "Iryna", 7},        {"Юлія", "Yuliia", 5},
    {"Марія", "Mariia", 5},      {"Вікторія", "Viktoriia", 4}, {"Анастасія", "Anastasiia", 5},
    {"Світлана", "Svitlana", 4}, {"Людмила", "Liudmyla", 3},   {"Софія", "Sofiia", 4},
    {"Катерина", "Kateryna", 4}, {"Дарина", "Daryna", 2},      {"Валентина", "Valentyna", 2},
};

static const struct name ua_male[] = {
    {"Олександр", "Oleksandr", 10}, {"Олександр", "Olexandr", 2}, {"Андрій", "Andrii", 7},
    {"Андрій", "Andriy", 2},        {"Сергій", "Serhii", 6},      {"Сергій", "Sergii", 2},
    {"Дмитро", "Dmytro", 7},        {"Іван", "Ivan", 5},          {"Максим", "Maksym", 6},
    {"Володимир", "Volodymyr", 5},  {"Микола", "Mykola", 4},      {"Юрій", "Yurii", 4},
    {"Богдан", "Bohdan", 3},        {"Артем", "Artem", 4},        {"Тарас", "Taras", 2},
    {"Віталій", "Vitalii", 3},      {"Олег", "Oleh", 3},          {"Євген", "Yevhen", 3},
};

static const struct name ua_family[] = {
    {"Шевченко", "Shevchenko", 10}, {"Коваленко", "Kovalenko", 9}, {"Бондаренко", "Bondarenko", 8},
    {"Ткаченко", "Tkachenko", 7},   {"Мельник", "Melnyk", 8},      {"Кравченко", "Kravchenko", 6},
    {"Бойко", "Boiko", 5},          {"Бойко", "Boyko", 1},         {"Олійник", "Oliinyk", 5},
    {"Шевчук", "Shevchuk", 5},      {"Поліщук", "Polishchuk", 4},  {"Лисенко", "Lysenko", 4},
    {"Руденко", "Rudenko", 4},      {"Савченко", "Savchenko", 3},  {"Марченко", "Marchenko", 3},
    {"Петренко", "Petrenko", 3},    {"Мороз", "Moroz", 3},         {"Іваненко", "Ivanenko", 2},
    {"Гнатюк", "Hnatiuk", 2},       {"Ковальчук", "Kovalchuk", 3}, {"Левченко", "Levchenko", 2},
};

static const struct pick ua_citizenship[] = {{"UA", 97}, {"MD", 2}, {"RU", 1}};
static const struct pick ua_language[] = {{"uk", 78}, {"ru", 18}, {"en", 4}};

static const struct name ar_female[] = {
    {"فاطمة", "Fatima", 10}, {"فاطمة", "Fatma", 2}, {"مريم", "Maryam", 6}, {"آية", "Aya", 5},
    {"نور", "Nour", 5},      {"رنا", "Rana", 4},    {"هبة", "Heba", 3},    {"سارة", "Sara", 5},
    {"زينب", "Zainab", 4},   {"ليلى", "Layla", 4},  {"رهف", "Rahaf", 3},   {"أمل", "Amal", 3},
    {"ياسمين", "Yasmin", 3}, {"دعاء", "Doaa", 2},
};

static const struct name ar_male[] = {
    {"محمد", "Mohammed", 12},    {"محمد", "Muhammad", 6}, {"محمد", "Mohamad", 4},
    {"أحمد", "Ahmad", 8},        {"أحمد", "Ahmed", 4},    {"علي", "Ali", 8},
    {"عمر", "Omar", 6},          {"خالد", "Khaled", 5},   {"يوسف", "Yousef", 5},
    {"حسن", "Hassan", 5},        {"محمود", "Mahmoud", 4}, {"إبراهيم", "Ibrahim", 4},
    {"عبد الله", "Abdullah", 3}, {"مصطفى", "Mustafa", 3}, {"حسين", "Hussein", 3},
};

static const struct name ar_family[] = {
    {"الحسن", "Al-Hassan", 5},  {"الأحمد", "Al-Ahmad", 6},  {"الخطيب", "Al-Khatib", 5},
    {"حمدان", "Hamdan", 4},     {"الحلبي", "Al-Halabi", 5}, {"الشامي", "Al-Shami", 4},
    {"المصري", "Al-Masri", 3},  {"عثمان", "Othman", 4},     {"إبراهيم", "Ibrahim", 4},
    {"خليل", "Khalil", 4},      {"سليمان", "Suleiman", 3},  {"درويش", "Darwish", 3},
    {"النجار", "Al-Najjar", 3}, {"حداد", "Haddad", 3},      {"محمد", "Mohammed", 3},
};

static const struct pick ar_citizenship[] = {
    {"SY", 70}, {"IQ", 13}, {"SD", 9}, {"PS", 4}, {"YE", 2}, {"LB", 2},
};
static const struct pick ar_language[] = {{"ar", 92}, {"ku", 5}, {"en", 3}};

static const struct name ti_female[] = {
    {"ሰላም", "Selam", 8},      {"ሳባ", "Saba", 6},          {"ሄለን", "Helen", 5},
    {"ፍረወይኒ", "Freweini", 4}, {"ትርሓስ", "Tirhas", 5},      {"ኤልሳ", "Elsa", 4},
    {"ሩታ", "Ruta", 3},        {"ለተብርሃን", "Letebrhan", 3}, {"ሉላ", "Lula", 3},
};

static const struct name ti_male[] = {
    {"ተስፋይ", "Tesfay", 7}, {"ኣብርሃም", "Abraham", 6}, {"ዮናስ", "Yonas", 7},    {"ኪዳነ", "Kidane", 5},
    {"ዳዊት", "Dawit", 6},   {"ሙሴ", "Mussie", 4},     {"ኤርምያስ", "Ermias", 4}, {"ሳሙኤል", "Samuel", 4},
    {"ፍሊሞን", "Filmon", 4}, {"ተኽለ", "Tekle", 3},     {"ሃብቶም", "Habtom", 4},
};

/* An Eritrean "family name" is usually the father's given name. */
static const struct name ti_family[] = {
    {"ገብረሂወት", "Gebrehiwet", 4}, {"ገብረሂወት", "Gebrehiwot", 1},   {"ኪዳነ", "Kidane", 5},
    {"ተስፋይ", "Tesfay", 5},       {"ገብረመድህን", "Gebremedhin", 5}, {"ወልደሚካኤል", "Weldemichael", 4},
    {"ሃይለ", "Haile", 5},         {"ተኽለ", "Tekle", 4},           {"ብርሃነ", "Berhane", 5},
    {"መሓሪ", "Mehari", 3},        {"ዘርኣይ", "Zerai", 3},          {"ኣብርሃ", "Abraha", 4},
    {"ገብረየሱስ", "Gebreyesus", 3},
};

static const struct pick ti_citizenship[] = {{"ER", 90}, {"ET", 10}};
static const struct pick ti_language[] = {{"ti", 90}, {"am", 4}, {"en", 6}};

static const struct name fa_female[] = {
    {"زهرا", "Zahra", 8},  {"فاطمه", "Fatema", 5},  {"مریم", "Maryam", 5}, {"فرشته", "Freshta", 4},
    {"نرگس", "Nargis", 3}, {"شکیلا", "Shakila", 3}, {"مرسل", "Mursal", 3}, {"ملالی", "Malalai", 2},
    {"لیلا", "Laila", 4},  {"سمیرا", "Samira", 3},
};

static const struct name fa_male[] = {
    {"محمد رضا", "Mohammad Reza", 5},
    {"محمد\u200Cرضا", "Mohammadreza", 2}, /* ZWNJ: one word, two letter groups */
    {"فرید", "Farid", 6},
    {"احمد", "Ahmad", 7},
    {"علی", "Ali", 6},
    {"مصطفی", "Mustafa", 5},
    {"حمید", "Hamid", 4},
    {"جاوید", "Javid", 4},
    {"نجیب", "Najib", 3},
    {"عبدالله", "Abdullah", 4},
    {"سهراب", "Sohrab", 3},
};

static const struct name fa_family[] = {
    {"احمدی", "Ahmadi", 8},   {"رحیمی", "Rahimi", 6},   {"محمدی", "Mohammadi", 7},
    {"حسینی", "Hosseini", 5}, {"حسینی", "Hussaini", 2}, {"کریمی", "Karimi", 5},
    {"نوری", "Noori", 4},     {"رضایی", "Rezaei", 4},   {"هاشمی", "Hashimi", 4},
    {"صدیقی", "Siddiqi", 3},  {"عزیزی", "Azizi", 4},    {"یوسفی", "Yousufi", 3},
    {"حیدری", "Haidari", 4},  {"جعفری", "Jafari", 3},
};

static const struct pick fa_citizenship[] = {{"AF", 94}, {"IR", 6}};
static const struct pick fa_language[] = {{"fa", 78}, {"ps", 18}, {"en", 4}};

static const struct name so_female[] = {
    {NULL, "Hodan", 6}, {NULL, "Ayaan", 5},  {NULL, "Fadumo", 5}, {NULL, "Amina", 5},
    {NULL, "Sahra", 4}, {NULL, "Hibaaq", 3}, {NULL, "Ifrah", 4},  {NULL, "Ubah", 3},
    {NULL, "Nimco", 3}, {NULL, "Khadra", 3},
};

static const struct name so_male[] = {
    {NULL, "Mohamed", 10},  {NULL, "Abdi", 7},  {NULL, "Abdirahman", 5}, {NULL, "Ahmed", 6},
    {NULL, "Hassan", 5},    {NULL, "Ali", 5},   {NULL, "Yusuf", 4},      {NULL, "Omar", 4},
    {NULL, "Abdullahi", 5}, {NULL, "Mahad", 3},
};

static const struct name so_family[] = {
    {NULL, "Warsame", 5}, {NULL, "Farah", 6},   {NULL, "Mohamed", 8}, {NULL, "Ali", 6},
    {NULL, "Hassan", 6},  {NULL, "Abdi", 5},    {NULL, "Jama", 5},    {NULL, "Osman", 4},
    {NULL, "Ahmed", 5},   {NULL, "Hussein", 4}, {NULL, "Nur", 4},     {NULL, "Aden", 4},
    {NULL, "Ismail", 3},  {NULL, "Egal", 2},
};

static const struct pick so_citizenship[] = {{"SO", 96}, {"KE", 2}, {"ET", 2}};
static const struct pick so_language[] = {{"so", 93}, {"ar", 3}, {"en", 4}};

static const struct name cd_female[] = {
    {NULL, "Grâce", 5},   {NULL, "Bénédicte", 3}, {NULL, "Esther", 4},    {NULL, "Jeanne", 3},
    {NULL, "Chantal", 3}, {NULL, "Divine", 3},    {NULL, "Merveille", 3},
};

static const struct name cd_male[] = {
    {NULL, "Jean-Pierre", 4}, {NULL, "Patrick", 4},   {NULL, "Emmanuel", 5}, {NULL, "Joseph", 4},
    {NULL, "Dieudonné", 3},   {NULL, "Christian", 3}, {NULL, "Glody", 2},    {NULL, "Fiston", 2},
};

static const struct name cd_family[] = {
    {NULL, "Mukendi", 4}, {NULL, "Kabongo", 4}, {NULL, "Tshibangu", 3}, {NULL, "Ilunga", 4},
    {NULL, "Kasongo", 4}, {NULL, "Mbuyi", 3},   {NULL, "Lukusa", 2},    {NULL, "Ngoy", 3},
    {NULL, "Mwamba", 3},  {NULL, "Kalala", 2},
};

static const struct pick cd_citizenship[] = {{"CD", 92}, {"BI", 4}, {"RW", 4}};
static const struct pick cd_language[] = {{"fr", 50}, {"sw", 30}, {"ln", 20}};

/* Norwegians appear as the settled half of a family reunification. */
static const struct name no_female[] = {
    {NULL, "Anne", 6},  {NULL, "Ingrid", 5},    {NULL, "Kari", 5},  {NULL, "Marit", 4},
    {NULL, "Hilde", 4}, {NULL, "Ida", 3},       {NULL, "Silje", 3}, {NULL, "Solveig", 2},
    {NULL, "Åse", 2},   {NULL, "Anne-Lise", 2}, {NULL, "Bjørg", 1},
};

static const struct name no_male[] = {
    {NULL, "Ole", 5},   {NULL, "Lars", 5},   {NULL, "Per", 4},   {NULL, "Jan", 5},
    {NULL, "Bjørn", 4}, {NULL, "Øyvind", 3}, {NULL, "Håkon", 3}, {NULL, "Knut", 3},
    {NULL, "Terje", 3}, {NULL, "Jørgen", 2}, {NULL, "Ola", 2},
};

static const struct name no_family[] = {
    {NULL, "Hansen", 8},   {NULL, "Johansen", 7}, {NULL, "Olsen", 7},   {NULL, "Larsen", 6},
    {NULL, "Andersen", 6}, {NULL, "Pedersen", 5}, {NULL, "Nilsen", 6},  {NULL, "Kristiansen", 4},
    {NULL, "Jensen", 4},   {NULL, "Karlsen", 4},  {NULL, "Ødegård", 3}, {NULL, "Ås", 2},
    {NULL, "Bakken", 3},   {NULL, "Haugen", 3},   {NULL, "Sæther", 2},  {NULL, "Berg", 3},
    {NULL, "Dahl", 2},     {NULL, "Lie", 2},      {NULL, "Aasen", 2},   {NULL, "Brønstad", 1},
};

static const struct pick no_citizenship[] = {{"NO", 100}};
static const struct pick no_language[] = {{"nb", 85}, {"nn", 15}};

struct origin {
	unsigned w;
	const struct name *female, *male, *family;
	size_t nfemale, nmale, nfamily;
	const struct pick *citizenship, *language;
	size_t ncitizenship, nlanguage;
	unsigned native_pct;   /* names written in their own script */
	unsigned d_number_pct; /* recent arrivals without a fødselsnummer yet */
	unsigned double_pct;   /* two given names */
	bool interpreter;      /* likely to need one */
};

#define NAMES(p) p##_female, p##_male, p##_family, N(p##_female), N(p##_male), N(p##_family)
#define CODES(p) p##_citizenship, p##_language, N(p##_citizenship), N(p##_language)

static const struct origin origins[] = {
    {46, NAMES(ua), CODES(ua), 35, 50, 0, true}, {18, NAMES(ar), CODES(ar), 30, 30, 8, true},
    {10, NAMES(ti), CODES(ti), 25, 30, 5, true}, {10, NAMES(fa), CODES(fa), 30, 30, 5, true},
    {7, NAMES(so), CODES(so), 0, 30, 5, true},   {4, NAMES(cd), CODES(cd), 0, 30, 15, true},
    {5, NAMES(no), CODES(no), 0, 0, 10, false},
};

/* ---- the rest of a case ------------------------------------------------- */

/* How often each status of statuses.def occurs, by number: a status added
 * there must get its weight here (the assertion). */
static const unsigned status_weight[] = {
    [STATUS_requested] = 10, [STATUS_settled] = 15,   [STATUS_in_programme] = 45,
    [STATUS_on_leave] = 5,   [STATUS_completed] = 15, [STATUS_closed] = 10,
    /* issue 10's statuses: not drawn yet, so that the demo's cases stay the same */
    [STATUS_stopped] = 0,    [STATUS_broken_off] = 0, [STATUS_moved] = 0,
};
_Static_assert(N(status_weight) == STATUS_COUNT, "a weight for every status");

static const char *pick_status(struct rng *r)
{
	struct pick p[STATUS_COUNT];

	for (size_t i = 0; i < STATUS_COUNT; i++)
		p[i] = (struct pick){field_catalogue[F_status].choice[i].id, status_weight[i]};
	return pick(r, p, STATUS_COUNT);
}

static const struct pick caseworkers[] = {{"kari", 40}, {"ola", 35}, {"amina", 25}};

static const struct pick municipalities[] = {
    {"Oslo", 20},        {"Bergen", 10},     {"Trondheim", 8},    {"Stavanger", 6},
    {"Kristiansand", 5}, {"Tromsø", 4},      {"Drammen", 4},      {"Fredrikstad", 4},
    {"Bærum", 4},        {"Asker", 3},       {"Lillestrøm", 3},   {"Sandnes", 3},
    {"Bodø", 3},         {"Ålesund", 3},     {"Skien", 2},        {"Porsgrunn", 2},
    {"Hamar", 2},        {"Lillehammer", 2}, {"Gjøvik", 2},       {"Molde", 2},
    {"Arendal", 2},      {"Haugesund", 2},   {"Harstad", 1},      {"Narvik", 1},
    {"Alta", 1},         {"Vadsø", 1},       {"Sør-Varanger", 1}, {"Kvinesdal", 1},
    {"Nord-Aurdal", 1},  {"Os", 1},
};

static const struct pick streets[] = {
    {"Storgata", 8},
    {"Kirkeveien", 6},
    {"Skolegata", 4},
    {"Parkveien", 4},
    {"Bjørkeveien", 4},
    {"Granveien", 3},
    {"Furuveien", 3},
    {"Solbakken", 3},
    {"Ringveien", 3},
    {"Torggata", 3},
    {"Haugeveien", 3},
    {"Fjellveien", 3},
    {"Sjøgata", 3},
    {"Strandveien", 3},
    {"Kongens gate", 2},
    {"Dronningens gate", 2},
    {"Øvre Slottsgate", 1},
    {"Nedre Storgate", 1},
    {"Elvegata", 2},
    {"Åsveien", 2},
    {"Møllergata", 2},
    {"Tordenskjolds gate", 1},
    {"Hans Nielsen Hauges gate", 1},
    {"Thorvald Meyers gate", 1},
    {"Kong Oscars gate", 1},
};

static const struct pick sexes[] = {{"female", 49}, {"male", 49}, {"other", 1}, {"unknown", 1}};

struct case_out {
	const char *status, *caseworker;
	char given[128], family[128];
	char birth[40];
	long birth_days;
	const char *sex;
	char nid[12];
	const char *citizenship;
	char phone[16];
	const char *language, *municipality;
	char address[160];
	bool interpreter;
	/* A programme that ended (completed): its end, as the store requires,
	 * and when it was registered in NIR (so that no end record is due). */
	char ended[16], nir[16];
	const char *end_reason, *main_activity;
};

/* ---- dates and national ids --------------------------------------------- */

/* civil_from_days (validate.h) with an int year, as the generator's dates
 * are; main checks every result against date_days. */
static void civil_date(long z, int *y, int *m, int *d)
{
	long year;

	civil_from_days(z, &year, m, d);
	*y = (int)year;
}

/* National ids already handed out: an open-addressing set, so that tests may
 * rely on every generated person being a different person. */
struct idset {
	uint64_t *slot; /* 0 is empty; ids are stored + 1 */
	size_t mask;
};

static bool idset_add(struct idset *set, uint64_t id)
{
	size_t i = (size_t)((id * 0x9E3779B97F4A7C15ULL) >> 17) & set->mask;

	for (;; i = (i + 1) & set->mask) {
		if (set->slot[i] == 0) {
			set->slot[i] = id + 1;
			return true;
		}
		if (set->slot[i] == id + 1)
			return false;
	}
}

/* Individual number: its range gives the century, and its last digit the sex
 * (even female, odd male). false if this birth date has no free number of
 * the right kind, and the caller draws another date. */
static bool make_national_id(struct rng *r, struct idset *seen, int y, int m, int d, int parity,
                             bool d_number, char out[12])
{
	int lo, hi;

	if (y >= 2000) {
		lo = 500;
		hi = 999;
	} else if (y >= 1940 && rng_pct(r, 10)) {
		lo = 900;
		hi = 999;
	} else {
		lo = 0;
		hi = 499;
	}
	for (int attempt = 0; attempt < 200; attempt++) {
		int ind = rng_range(r, lo, hi);
		char nine[40];

		if (parity >= 0 && ind % 2 != parity)
			ind += ind == hi ? -1 : 1;
		snprintf(nine, sizeof nine, "%02d%02d%02d%03d", d + (d_number ? 40 : 0), m, y % 100,
		         ind);
		memcpy(out, nine, 9);
		if (national_id_check_digits(nine, 0, out + 9) < 0)
			continue;
		out[11] = '\0';
		if (idset_add(seen, strtoull(out, NULL, 10)))
			return true;
	}
	return false;
}

/* ---- one case ------------------------------------------------------------- */

static const char *spelled(const struct name *n, bool native)
{
	return native && n->native ? n->native : n->latin;
}

static void make_given(struct rng *r, const struct origin *o, bool female, bool native,
                       unsigned double_pct, char *out, size_t cap)
{
	const struct name *list = female ? o->female : o->male;
	size_t n = female ? o->nfemale : o->nmale;
	const struct name *a = pick_name(r, list, n);

	if (rng_pct(r, double_pct)) {
		const struct name *b = pick_name(r, list, n);

		if (strcmp(a->latin, b->latin) != 0 &&
		    (!a->native || !b->native || strcmp(a->native, b->native) != 0)) {
			snprintf(out, cap, "%s %s", spelled(a, native), spelled(b, native));
			return;
		}
	}
	snprintf(out, cap, "%s", spelled(a, native));
}

static void make_address(struct rng *r, char *out, size_t cap)
{
	char street[80];
	int form = rng_range(r, 1, 100);
	int number = rng_pct(r, 80) ? rng_range(r, 1, 40) : rng_range(r, 41, 180);

	if (rng_pct(r, 15))
		snprintf(street, sizeof street, "%s %d%c", pick(r, streets, N(streets)), number,
		         'A' + rng_range(r, 0, 3));
	else
		snprintf(street, sizeof street, "%s %d", pick(r, streets, N(streets)), number);

	/* Bolignummer: H, floor, flat. */
	int floor = rng_range(r, 1, 6), flat = rng_range(r, 1, 4);

	if (form <= 65)
		snprintf(out, cap, "%s", street);
	else if (form <= 80)
		snprintf(out, cap, "%s, H%02d%02d", street, floor, flat);
	else if (form <= 92)
		snprintf(out, cap, "c/o %s\n%s", pick_name(r, no_family, N(no_family))->latin,
		         street);
	else if (form <= 98)
		snprintf(out, cap, "%s\nH%02d%02d", street, floor, flat);
	else
		snprintf(out, cap, "Gården \"Solbakken\", %s", street);
}

static void make_case(struct rng *r, struct idset *seen, long ref, struct case_out *c)
{
	unsigned total = 0;

	for (size_t i = 0; i < N(origins); i++)
		total += origins[i].w;
	uint64_t x = rng_below(r, total);
	const struct origin *o = &origins[0];
	for (size_t i = 0; i < N(origins); i++) {
		if (x < origins[i].w) {
			o = &origins[i];
			break;
		}
		x -= origins[i].w;
	}

	c->status = pick_status(r);
	c->caseworker = pick(r, caseworkers, N(caseworkers));
	c->sex = pick(r, sexes, N(sexes));
	bool female = strcmp(c->sex, "female") == 0 ? true
	              : strcmp(c->sex, "male") == 0 ? false
	                                            : rng_pct(r, 50);
	int parity = strcmp(c->sex, "female") == 0 ? 0 : strcmp(c->sex, "male") == 0 ? 1 : -1;

	bool native = rng_pct(r, o->native_pct);
	make_given(r, o, female, native, o->double_pct, c->given, sizeof c->given);
	snprintf(c->family, sizeof c->family, "%s",
	         spelled(pick_name(r, o->family, o->nfamily), native));

	int age_lo, age_hi;
	int bracket = rng_range(r, 1, 100);
	if (bracket <= 30) {
		age_lo = 0;
		age_hi = 17;
	} else if (bracket <= 92) {
		age_lo = 18;
		age_hi = 55;
	} else {
		age_lo = 56;
		age_hi = 70;
	}
	bool d_number = rng_pct(r, o->d_number_pct);
	int y, m, d, age;
	do {
		age = rng_range(r, age_lo, age_hi);
		c->birth_days = ref - (long)age * 36525 / 100 - (long)rng_below(r, 365);
		civil_date(c->birth_days, &y, &m, &d);
	} while (!make_national_id(r, seen, y, m, d, parity, d_number, c->nid));
	snprintf(c->birth, sizeof c->birth, "%04d-%02d-%02d", y, m, d);

	c->citizenship = pick(r, o->citizenship, o->ncitizenship);
	snprintf(c->phone, sizeof c->phone, "+47%d%07d", rng_pct(r, 55) ? 9 : 4,
	         rng_range(r, 0, 9999999));
	c->language = pick(r, o->language, o->nlanguage);
	c->municipality = pick(r, municipalities, N(municipalities));
	make_address(r, c->address, sizeof c->address);

	bool speaks_local = strcmp(c->language, "nb") == 0 || strcmp(c->language, "nn") == 0;
	if (!o->interpreter || speaks_local)
		c->interpreter = false;
	else if (strcmp(c->language, "en") == 0)
		c->interpreter = rng_pct(r, 10);
	else if (age < 10)
		c->interpreter = rng_pct(r, 30);
	else
		c->interpreter = rng_pct(r, 85);

	/* From what was drawn, not from the generator's stream: adding these
	 * left every earlier value of every case as it was. */
	c->ended[0] = c->nir[0] = '\0';
	c->end_reason = c->main_activity = "";
	if (strcmp(c->status, "completed") == 0) {
		static const char *const reasons[] = {"goal_reached", "goal_reached", "time_used"};
		static const char *const activities[] = {"work_full_time", "work_part_time",
		                                         "education", "job_seeker"};
		long k = c->birth_days < 0 ? -c->birth_days : c->birth_days;
		civil_date(ref - 20 - k % 700, &y, &m, &d);
		snprintf(c->ended, sizeof c->ended, "%04d-%02d-%02d", y, m, d);
		civil_date(ref - 10 - k % 700, &y, &m, &d);
		snprintf(c->nir, sizeof c->nir, "%04d-%02d-%02d", y, m, d);
		c->end_reason = reasons[k % N(reasons)];
		c->main_activity = activities[k % N(activities)];
	}
}

/* A generator bug must not pass for a validator bug further down the line. */
static const char *check_case(const struct case_out *c)
{
	const char *what = NULL;
	int y, m, d;

	if (valid_national_id(c->nid))
		what = "national_id";
	else if (valid_date(c->birth))
		what = "birth_date";
	else if (valid_phone(c->phone))
		what = "phone";
	else if (valid_country(c->citizenship))
		what = "citizenship";
	else if (valid_language(c->language))
		what = "language";
	else if (valid_name(c->given))
		what = "given_name";
	else if (valid_name(c->family))
		what = "family_name";
	else if (valid_utf8_text(c->address, strlen(c->address), true))
		what = "address";
	else if (strcmp(c->sex, "female") == 0 && (c->nid[8] - '0') % 2 != 0)
		what = "national_id parity";
	else if (strcmp(c->sex, "male") == 0 && (c->nid[8] - '0') % 2 != 1)
		what = "national_id parity";
	if (!what) {
		/* The id must encode the birth date. */
		y = (int)strtol(c->birth, NULL, 10);
		m = (int)strtol(c->birth + 5, NULL, 10);
		d = (int)strtol(c->birth + 8, NULL, 10);
		int day = (c->nid[0] - '0') * 10 + (c->nid[1] - '0');
		if (day > 40)
			day -= 40;
		if (day != d || (c->nid[2] - '0') * 10 + (c->nid[3] - '0') != m ||
		    (c->nid[4] - '0') * 10 + (c->nid[5] - '0') != y % 100)
			what = "national_id date";
	}
	return what;
}

/* ---- output ----------------------------------------------------------------- */

static const char *const columns[] = {
    "status",       "caseworker",  "given_name",         "family_name", "birth_date",
    "sex",          "national_id", "citizenship",        "phone",       "language",
    "municipality", "address",     "interpreter_needed", "ended",      "end_reason",
    "main_activity_at_end", "nir_registered",
};

#define NCOLUMNS N(columns)

static void values(const struct case_out *c, const char *v[NCOLUMNS])
{
	v[0] = c->status;
	v[1] = c->caseworker;
	v[2] = c->given;
	v[3] = c->family;
	v[4] = c->birth;
	v[5] = c->sex;
	v[6] = c->nid;
	v[7] = c->citizenship;
	v[8] = c->phone;
	v[9] = c->language;
	v[10] = c->municipality;
	v[11] = c->address;
	v[12] = c->interpreter ? "true" : "false";
	v[13] = c->ended;
	v[14] = c->end_reason;
	v[15] = c->main_activity;
	v[16] = c->nir;
}

static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	putc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	putc('"', f);
}

static void write_csv(FILE *f, const struct case_out *c)
{
	const char *v[NCOLUMNS];

	values(c, v);
	for (size_t i = 0; i < NCOLUMNS; i++) {
		if (i)
			putc(',', f);
		csv_field(f, v[i]);
	}
	putc('\n', f);
}

static void write_jsonl(FILE *f, const struct case_out *c)
{
	const char *v[NCOLUMNS];

	values(c, v);
	putc('{', f);
	for (size_t i = 0; i < NCOLUMNS; i++) {
		if (!*v[i])
			continue; /* no value: no member */
		if (i)
			putc(',', f);
		json_write_string(f, columns[i], strlen(columns[i]));
		putc(':', f);
		if (strcmp(columns[i], "interpreter_needed") == 0)
			fputs(v[i], f); /* a JSON boolean */
		else
			json_write_string(f, v[i], strlen(v[i]));
	}
	fputs("}\n", f);
}

/* ---- the one entry point ---------------------------------------------------- */

int synth_write(FILE *f, uint64_t seed, uint64_t count, bool jsonl, char *err, size_t errlen)
{
	/* At most half full, so probing stays short. */
	size_t cap = 64;
	while (cap < 2 * count)
		cap *= 2;
	struct idset seen = {calloc(cap, sizeof(uint64_t)), cap - 1};
	struct rng r = {seed};
	long ref = date_days(REFERENCE_DATE);
	int rc = 0;

	if (!seen.slot) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!jsonl) {
		for (size_t i = 0; i < NCOLUMNS; i++)
			fprintf(f, "%s%s", i ? "," : "", columns[i]);
		putc('\n', f);
	}
	for (uint64_t i = 0; i < count && rc == 0; i++) {
		struct case_out c;
		const char *what;

		make_case(&r, &seen, ref, &c);
		what = check_case(&c);
		if (!what && (date_days(c.birth) != c.birth_days || c.birth_days > ref))
			what = "birth_date";
		if (what) {
			snprintf(err, errlen, "internal error: case %" PRIu64 " has an invalid %s", i,
			         what);
			rc = -1;
		} else if (jsonl) {
			write_jsonl(f, &c);
		} else {
			write_csv(f, &c);
		}
	}
	free(seen.slot);
	return rc;
}
