/* synth.c: synthetic case files for the demo store, tests and benchmarks.
 *
 * Every person is invented: names are drawn independently from weighted lists
 * per origin, and national ids are built from the drawn birth date and sex
 * with fresh individual numbers, so any resemblance to a real person is
 * coincidence. The output depends only on the seed (no clock, no rand(), no
 * locale), so a failing test can be reproduced from its seed alone. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
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

/* How often each status of statuses.def is drawn, by number: a status added
 * there must get its weight here (the assertion). The draw is the person's
 * stream's, as it was before issue 10; make_life then keeps the programme's
 * statuses to its group (18-55) and turns a share into stopped, broken_off
 * and moved, from the case's own stream. */
static const unsigned status_weight[] = {
    [STATUS_requested] = 10,
    [STATUS_settled] = 15,
    [STATUS_in_programme] = 45,
    [STATUS_on_leave] = 5,
    [STATUS_completed] = 15,
    [STATUS_closed] = 10,
    /* issue 10's: from the others, in make_life */
    [STATUS_stopped] = 0,
    [STATUS_broken_off] = 0,
    [STATUS_moved] = 0,
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
	int origin; /* its index in origins[] */
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

	c->origin = (int)(o - origins);
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

/* ---- the record: settlement, programme, lists ------------------------------- */

/* One generated record: every value as text, by field and by item field.
 * Values point into arena or at constants. */
#define MAX_ITEMS 40

struct rec {
	const char *v[F_COUNT];
	struct {
		enum list_id l;
		const char *v[I_COUNT];
	} item[MAX_ITEMS];
	int nitems;
	char arena[8192];
	size_t used;
};

static const char *rec_fmt(struct rec *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *rec_fmt(struct rec *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = sizeof o->arena - o->used;
	char *at = o->arena + o->used;

	va_start(ap, fmt);
	int n = vsnprintf(at, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return ""; /* check_rec reports the value missing */
	o->used += (size_t)n + 1;
	return at;
}

static const char *rec_day(struct rec *o, long day)
{
	char iso[11];

	date_iso(day, iso);
	return rec_fmt(o, "%s", iso);
}

static void put(struct rec *o, enum field_id f, const char *v)
{
	o->v[f] = v;
}

static void put_day(struct rec *o, enum field_id f, long day)
{
	o->v[f] = rec_day(o, day);
}

static int item_new(struct rec *o, enum list_id l)
{
	if (o->nitems >= MAX_ITEMS)
		return -1;
	memset(&o->item[o->nitems], 0, sizeof o->item[o->nitems]);
	o->item[o->nitems].l = l;
	return o->nitems++;
}

static void iput(struct rec *o, int i, enum item_field_id f, const char *v)
{
	if (i >= 0)
		o->item[i].v[f] = v;
}

static void iput_day(struct rec *o, int i, enum item_field_id f, long day)
{
	if (i >= 0)
		o->item[i].v[f] = rec_day(o, day);
}

/* Whole years from birth to day. */
static int age_on(long birth, long day)
{
	long by, y;
	int bm, bd, m, d;

	civil_from_days(birth, &by, &bm, &bd);
	civil_from_days(day, &y, &m, &d);
	return (int)(y - by) - (m < bm || (m == bm && d < bd));
}

/* A number with a mod-11 check digit (organisation and account numbers):
 * n digits drawn, the check digit appended; a draw whose remainder gives
 * no digit is drawn again. */
static void mod11_number(struct rng *r, const unsigned char *w, size_t n, const char *prefix,
                         char *out)
{
	size_t p = strlen(prefix);

	for (;;) {
		unsigned sum = 0;

		memcpy(out, prefix, p);
		for (size_t i = p; i < n; i++)
			out[i] = (char)('0' + rng_range(r, 0, 9));
		for (size_t i = 0; i < n; i++)
			sum += (unsigned)(out[i] - '0') * w[i];
		unsigned k = 11 - sum % 11;
		if (k == 10)
			continue;
		out[n] = (char)('0' + (k == 11 ? 0 : k));
		out[n + 1] = '\0';
		return;
	}
}

static const struct pick employers[] = {
    {"Rema 1000", 6},
    {"Kiwi", 5},
    {"Coop Extra", 5},
    {"Bydel Gamle Oslo", 2},
    {"Sykehjemmet", 5},
    {"Barnehagen Solsikken", 3},
    {"Veidekke", 2},
    {"NCC", 2},
    {"Renholdsservice AS", 4},
    {"Fjordkjøkken AS", 2},
    {"Kommunens driftsavdeling", 3},
    {"Elkjøp", 2},
    {"Posten Bring", 2},
    {"Hotell Bristol", 2},
    {"Bilverksted Øst", 1},
};

static const struct pick contacts[] = {
    {"Kari Nordmann", 3}, {"Per Hansen", 3}, {"Ingrid Olsen", 3}, {"Lars Berg", 2},
    {"Silje Dahl", 2},    {"Knut Lie", 2},   {"Åse Bakken", 1},   {"Øyvind Haugen", 1},
};

static const struct pick recognition_kinds[] = {
    {"Sykepleierutdanning", 5}, {"Lærerutdanning", 4},     {"Ingeniørutdanning", 4},
    {"Legeutdanning", 2},       {"Økonomi (bachelor)", 3}, {"Fagbrev, elektriker", 3},
    {"Fagbrev, kokk", 2},       {"Tannlege", 1},
};

/* A detail for each end goal (END_GOAL_CHOICES order is not assumed). */
static const struct {
	const char *goal, *detail[3];
} goal_details[] = {
    {"work", {"Fast jobb i butikk", "Renholdsoperatør", "Anleggsmaskinfører"}},
    {"higher_education", {"Sykepleie, bachelor", "Ingeniør, bachelor", "Lærerutdanning"}},
    {"complete_upper_secondary",
     {"Fagbrev i helsearbeiderfaget", "Barne- og ungdomsarbeider", "Studiespesialisering"}},
    {"part_upper_secondary", {"Fellesfag: norsk og engelsk", "Vg1 helse- og oppvekstfag", NULL}},
    {"primary_school", {"Grunnskole for voksne", NULL, NULL}},
    {"part_primary_school", {"Grunnskolefag: matematikk", "Grunnskolefag: norsk", NULL}},
};

static const char *goal_detail(struct rng *r, const char *goal)
{
	for (size_t i = 0; i < N(goal_details); i++) {
		if (strcmp(goal_details[i].goal, goal) != 0)
			continue;
		size_t n = 0;
		while (n < 3 && goal_details[i].detail[n])
			n++;
		return goal_details[i].detail[rng_below(r, n)];
	}
	return NULL;
}

static const struct pick health_needs[] = {
    {"Bolig uten trapper (rullestol)", 2},
    {"Trenger kvinnelig lege", 2},
    {"Hørselstap: tolk på skjerm og skriftlige innkallinger", 1},
    {"Tilrettelagt oppmøte: faste avtaler hos fastlegen", 2},
    {"Synshemmet: innkallinger i stor skrift", 1},
};

static const struct pick attendance_notes[] = {
    {"Meldt på morgenen", 4}, {"Ikke meldt", 2},        {"Legeattest levert", 2},
    {"Møte på NAV", 2},       {"Barnehagen stengt", 1},
};

static const char *reason_for_hours[] = {"Omsorg for barn under skolealder",
                                         "Helsemessige årsaker, etter vurdering",
                                         "Kombinert med deltidsjobb"};

/* The programme's length within the limits of the person's group and
 * regime (lifecycle.c checks the same: rules.def length_*). */
static void programme_group(struct rng *r, struct rec *o, bool six_a, int *len, int *ext_max)
{
	bool upper = rng_pct(r, 30);
	const char *goal;

	if (upper) {
		static const struct pick g[] = {{"work", 60}, {"higher_education", 40}};
		goal = pick(r, g, N(g));
		*len = rng_range(r, 3, 6);
		*ext_max = 6;
		put(o, F_education_level, rng_pct(r, 55) ? "higher" : "upper_secondary");
	} else {
		static const struct pick g[] = {{"work", 45},
		                                {"complete_upper_secondary", 20},
		                                {"part_upper_secondary", 10},
		                                {"primary_school", 15},
		                                {"part_primary_school", 10}};
		goal = pick(r, g, N(g));
		*len = strcmp(goal, "complete_upper_secondary") == 0 ? rng_range(r, 12, 36)
		                                                     : rng_range(r, 6, 24);
		*ext_max = 12;
		put(o, F_education_level, rng_pct(r, 25) ? "none" : "primary");
	}
	if (six_a && *len > 12)
		*len = rng_range(r, 6, 12);
	put(o, F_has_upper_secondary, upper ? "true" : "false");
	put(o, F_end_goal, goal);
	if (rng_pct(r, 60))
		put(o, F_end_goal_detail, goal_detail(r, goal));
}

/* What ended: the reasons of each end, from the shipped code table
 * (codes.def), the main activity weighted as IMDi's results are. */
static void programme_end_codes(struct rng *r, struct rec *o, const char *status)
{
	static const struct pick completed[] = {{"goal_reached", 70}, {"time_used", 30}};
	static const struct pick broken[] = {{"own_wish", 30}, {"care", 20},    {"emigrated", 10},
	                                     {"deceased", 2},  {"stopped", 15}, {"other", 23}};
	static const struct pick activity[] = {{"work_full_time", 28}, {"work_part_time", 15},
	                                       {"education", 20},      {"work_and_education", 8},
	                                       {"nav_measure", 10},    {"job_seeker", 12},
	                                       {"other", 4},           {"unknown", 3}};

	if (strcmp(status, "completed") == 0)
		put(o, F_end_reason, pick(r, completed, N(completed)));
	else if (strcmp(status, "moved") == 0)
		put(o, F_end_reason, "moved");
	else
		put(o, F_end_reason, pick(r, broken, N(broken)));
	put(o, F_main_activity_at_end, pick(r, activity, N(activity)));
}

/* A day from a to b (a if b is before it). */
static long day_in(struct rng *r, long a, long b)
{
	return b > a ? a + (long)rng_below(r, (uint64_t)(b - a) + 1) : a;
}

/* The lists of a programme that ran from start to until (today, or its
 * end): placements, attendance, leave, stops, tests, recognitions. */
static void programme_lists(struct rng *r, struct rec *o, long start, long until, long today,
                            const char *status, bool young)
{
	static const unsigned char orgw[8] = {3, 2, 7, 6, 5, 4, 3, 2};
	long span = until - start;

	/* Work placements, after the first months. */
	int np = span > 120 ? (rng_pct(r, 45) ? 1 : 0) + (rng_pct(r, 20) ? 1 : 0) : 0;
	for (int k = 0; k < np; k++) {
		int i = item_new(o, L_placements);
		char org[12];
		long from = day_in(r, start + 90, until);
		long to = from + rng_range(r, 28, 180);

		mod11_number(r, orgw, 8, rng_pct(r, 50) ? "9" : "8", org);
		iput(o, i, I_placements_employer, pick(r, employers, N(employers)));
		iput(o, i, I_placements_org_number, rec_fmt(o, "%s", org));
		if (rng_pct(r, 80))
			iput(o, i, I_placements_contact, pick(r, contacts, N(contacts)));
		iput_day(o, i, I_placements_start, from);
		if (to < until || rng_pct(r, 60))
			iput_day(o, i, I_placements_end, to);
		iput(o, i, I_placements_hours_per_week, rng_pct(r, 70) ? "15" : "22,5");
	}

	/* Absence the last weeks: each an absence class, a reason that
	 * reveals health in its own (health) field. */
	int na = rng_pct(r, 55) ? rng_range(r, 1, 5) : 0;
	for (int k = 0; k < na; k++) {
		static const struct pick cls[] = {{"valid_paid", 45},
		                                  {"leave_paid", 10},
		                                  {"leave_unpaid", 8},
		                                  {"holiday", 12},
		                                  {"unexcused", 25}};
		static const struct pick why[] = {
		    {"own_illness", 60}, {"child_illness", 30}, {"pregnancy", 10}};
		int i = item_new(o, L_attendance);
		long day = day_in(r, until - 60 > start ? until - 60 : start, until);
		const char *c = pick(r, cls, N(cls));

		iput_day(o, i, I_attendance_date, day);
		iput(o, i, I_attendance_hours,
		     rng_pct(r, 70) ? "7,5" : rec_fmt(o, "%d", rng_range(r, 1, 6)));
		iput(o, i, I_attendance_absence_class, c);
		if (strcmp(c, "valid_paid") == 0 && rng_pct(r, 75))
			iput(o, i, I_attendance_health_reason, pick(r, why, N(why)));
		if (rng_pct(r, 40))
			iput(o, i, I_attendance_note,
			     pick(r, attendance_notes, N(attendance_notes)));
	}

	/* Leave: the one in force while on leave, or one taken before. */
	bool on_leave = strcmp(status, "on_leave") == 0;
	if (on_leave || (span > 200 && rng_pct(r, 12))) {
		static const struct pick kind[] = {
		    {"childbirth", 45}, {"care", 20}, {"welfare", 20}, {"other", 15}};
		int i = item_new(o, L_leave);
		long from =
		    on_leave ? today - rng_range(r, 0, 120) : day_in(r, start + 30, until - 70);
		long to = from + rng_range(r, 14, on_leave ? 300 : 60);

		if (on_leave && to < today)
			to = today + rng_range(r, 7, 120);
		if (from < start)
			from = start;
		iput(o, i, I_leave_kind, pick(r, kind, N(kind)));
		iput_day(o, i, I_leave_decision_date, from - rng_range(r, 3, 30));
		iput_day(o, i, I_leave_from, from);
		iput_day(o, i, I_leave_to, to);
	}

	/* Stops: the temporary one in force while stopped (at most 3 months:
	 * its end, or the rule's, is due); now and then one lifted before. */
	bool stopped = strcmp(status, "stopped") == 0;
	if (stopped || (span > 200 && rng_pct(r, 8))) {
		int i = item_new(o, L_stops);
		long from =
		    stopped ? today - rng_range(r, 0, 95) : day_in(r, start + 30, until - 100);

		if (from < start)
			from = start;
		iput(o, i, I_stops_kind, stopped || rng_pct(r, 85) ? "temporary" : "permanent");
		iput_day(o, i, I_stops_decision_date, from - rng_range(r, 0, 14));
		iput_day(o, i, I_stops_from, from);
		if (!stopped || rng_pct(r, 50))
			iput_day(o, i, I_stops_to, from + rng_range(r, 14, 91));
	}

	/* Norwegian tests, each skill at a level. */
	if (span > 180 && rng_pct(r, 40)) {
		static const char *const skills[] = {"oral", "reading", "writing", "listening"};
		static const struct pick level[] = {
		    {"a1", 10}, {"a2", 35}, {"b1", 40}, {"b2", 12}, {"c1", 3}};
		long day = day_in(r, start + 150, until - 4);
		int first = rng_range(r, 0, 3), n = rng_range(r, 1, 4);

		for (int k = 0; k < n; k++) {
			int i = item_new(o, L_norwegian_tests);
			iput(o, i, I_norwegian_tests_skill, skills[(first + k) % 4]);
			iput(o, i, I_norwegian_tests_level, pick(r, level, N(level)));
			iput_day(o, i, I_norwegian_tests_date, day + k);
		}
	}

	/* Recognition of an education from abroad. */
	if (o->v[F_education_level] && strcmp(o->v[F_education_level], "higher") == 0 &&
	    rng_pct(r, 50)) {
		static const struct pick st[] = {
		    {"applied", 40}, {"approved", 35}, {"refused", 15}, {"withdrawn", 10}};
		int i = item_new(o, L_recognitions);
		iput(o, i, I_recognitions_kind, pick(r, recognition_kinds, N(recognition_kinds)));
		iput_day(o, i, I_recognitions_applied, day_in(r, start, until));
		iput(o, i, I_recognitions_status, pick(r, st, N(st)));
	}

	/* Benefits deducted from the stipend. */
	if (rng_pct(r, young ? 3 : 9)) {
		static const struct pick kind[] = {{"dagpenger", 10},      {"sykepenger", 30},
		                                   {"foreldrepenger", 35}, {"aap", 10},
		                                   {"uforetrygd", 5},      {"other", 10}};
		int i = item_new(o, L_deductions);
		long from = day_in(r, start, until);
		iput(o, i, I_deductions_kind, pick(r, kind, N(kind)));
		iput_day(o, i, I_deductions_from, from);
		if (rng_pct(r, 70))
			iput_day(o, i, I_deductions_to, from + rng_range(r, 14, 120));
		iput(o, i, I_deductions_amount,
		     rec_fmt(o, "%d%s", rng_range(r, 800, 14000), rng_pct(r, 20) ? ",50" : ""));
	}
}

static bool programme_status(const char *s)
{
	return strcmp(s, "in_programme") == 0 || strcmp(s, "on_leave") == 0 ||
	       strcmp(s, "stopped") == 0 || strcmp(s, "completed") == 0 ||
	       strcmp(s, "broken_off") == 0;
}

/* A deadline's distance from today that a unit sees: most later, some
 * within the week, some today, some overdue. */
static long due_offset(struct rng *r, int later_max)
{
	int x = rng_range(r, 1, 100);

	if (x <= 22)
		return -rng_range(r, 1, 45);
	if (x <= 28)
		return 0;
	if (x <= 45)
		return rng_range(r, 1, 7);
	return rng_range(r, 8, later_max);
}

/* The day from which months run out on due: date_add_months(day, months)
 * falls on due or the first day after it the calendar has. */
static long months_before(long due, int months)
{
	long day = date_add_months(due, -months);

	while (date_add_months(day, months) < due)
		day++;
	while (date_add_months(day - 1, months) >= due)
		day--;
	return day;
}

/* Everything but the person: the case's life in Norway, from its arrival to
 * today (or the end), its dates consistent with the status and the rules
 * (statuses.def, lifecycle.c, rules.def) and spread so that the deadlines
 * (deadlines.c) fall overdue, today, within the week and later. */
static void make_life(struct rng *r, const struct case_out *c, int index, long today, long ref,
                      struct rec *o)
{
	const char *status = c->status;
	bool ua = c->origin == 0, no = strcmp(c->citizenship, "NO") == 0;
	/* Ages at the fixed day the births were drawn from, not today: what a
	 * seed's cases are (their statuses, households) stays the same on any
	 * day; only their dates move with it. */
	int age_now = age_on(c->birth_days, ref);

	/* Who the programme is for: 18-55 when the permit was granted (the
	 * check below, once that day is drawn); the rest are settled with
	 * their families, or closed. */
	if (programme_status(status) && (age_now < 19 || age_now > 56))
		status = strcmp(status, "completed") == 0 ? "closed" : "settled";
	/* Issue 10's statuses, from the ones drawn. */
	if (strcmp(status, "in_programme") == 0 && rng_pct(r, 10))
		status = "stopped";
	else if (strcmp(status, "completed") == 0 && rng_pct(r, 25))
		status = "broken_off";
	else if (strcmp(status, "settled") == 0 && rng_pct(r, 8))
		status = "moved";

	bool programme = programme_status(status);
	bool ended = strcmp(status, "completed") == 0 || strcmp(status, "broken_off") == 0;
	bool closed_after =
	    strcmp(status, "closed") == 0 && age_now >= 19 && age_now <= 56 && rng_pct(r, 60);
	bool requested = strcmp(status, "requested") == 0;

	/* The day the programme (or life here) is at: for a running programme
	 * its start, for one that ended its end. */
	int len = 0, ext_max = 0;
	long start = DAY_NONE, end = DAY_NONE, settle, arrival, permit;

	if (programme || closed_after) {
		/* Permit and regime before the group: chapter 6A shortens it. */
		programme_group(r, o, ua, &len, &ext_max);
		if (ended || closed_after) {
			end =
			    today - (closed_after ? rng_range(r, 200, 1200) : rng_range(r, 3, 700));
			start = date_add_months(end, -len);
		} else {
			/* Somewhere in its planned months; the planned end's
			 * extension assessment (60 days before) spread around
			 * today for a share of them. */
			if (rng_pct(r, 30)) {
				long due = today + due_offset(r, 60);
				start = months_before(due + 60, len);
			}
			if (start == DAY_NONE || start > today - 10) {
				start = today - (long)rng_below(r, (uint64_t)len * 30 - 20) - 10;
			}
		}
		long decision = start - rng_range(r, 3, 28);
		settle = decision - rng_range(r, 20, 88);
		put_day(o, F_programme_decision, decision);
		put_day(o, F_mapping_done, decision - rng_range(r, 5, 40));
		static const struct pick src[] = {
		    {"municipality", 70}, {"reception_centre", 25}, {"kompass_prior", 5}};
		put(o, F_mapping_source, pick(r, src, N(src)));
		if (rng_pct(r, 75))
			put_day(o, F_career_guidance, decision - rng_range(r, 0, 20));
		put_day(o, F_programme_start, start);
		put(o, F_programme_length_months, rec_fmt(o, "%d", len));
		/* An extension assessed before the planned end (60 days): for
		 * most whose assessment is past, with an extension or without. */
		int ext = -1;
		if (ended ? rng_pct(r, 30)
		          : date_add_months(start, len) - 60 < today - 7 && rng_pct(r, 80))
			ext = rng_pct(r, 40) ? rng_range(r, 1, ext_max) : 0;
		if (ext >= 0)
			put(o, F_extension_months, rec_fmt(o, "%d", ext));
		if (ext < 0)
			ext = 0;
		put_day(o, F_programme_end, date_add_months(start, len + ext));
		if (rng_pct(r, 85)) {
			put(o, F_hours_per_week, "37,5");
		} else {
			put(o, F_hours_per_week, "30");
			put(o, F_hours_reason, reason_for_hours[rng_below(r, N(reason_for_hours))]);
		}
		static const struct pick cefr[] = {{"a2", 20}, {"b1", 50}, {"b2", 25}, {"c1", 5}};
		put(o, F_norwegian_goal, pick(r, cefr, N(cefr)));
		/* Plan and contract at the decision; some not yet signed. */
		if (!rng_pct(r, 4) || ended || closed_after) {
			put_day(o, F_plan_date, decision);
			put_day(o, F_contract_date, decision + rng_range(r, 0, 3));
		} else if (rng_pct(r, 50)) {
			put_day(o, F_plan_date, decision);
		}
		long until = end != DAY_NONE ? end : today;
		/* The plan reviewed every half year or so: its next review spread
		 * around today. */
		if (o->v[F_plan_date] && until - decision > 150 && rng_pct(r, 85)) {
			long due = today + due_offset(r, 150);
			long last = months_before(due, 6);
			if (last > decision && last <= until)
				put_day(o, F_plan_reviewed, last);
		}
		if (until - start > 200 && rng_pct(r, 55))
			put_day(o, F_life_skills_done, start + rng_range(r, 60, 200));
		if (until - start > 250 && age_now > 24 && rng_pct(r, 30))
			put_day(o, F_parenting_course_done, start + rng_range(r, 90, 250));
		put(o, F_research_reservation, rng_pct(r, 6) ? "true" : "false");
		/* The end goal's history: the goal from the decision, and now and
		 * then the one it replaced. */
		if (rng_pct(r, 70)) {
			long from = decision;
			if (rng_pct(r, 25) && until - decision > 120) {
				static const char *const old[] = {"work", "primary_school",
				                                  "part_upper_secondary"};
				const char *g = old[rng_below(r, N(old))];
				if (strcmp(g, o->v[F_end_goal]) == 0)
					g = "part_primary_school";
				int i = item_new(o, L_end_goals);
				iput(o, i, I_end_goals_goal, g);
				iput_day(o, i, I_end_goals_from, decision);
				from = decision + rng_range(r, 60, (int)(until - decision));
			}
			int i = item_new(o, L_end_goals);
			iput(o, i, I_end_goals_goal, o->v[F_end_goal]);
			if (o->v[F_end_goal_detail])
				iput(o, i, I_end_goals_detail, o->v[F_end_goal_detail]);
			iput_day(o, i, I_end_goals_from, from);
		}
		if (ended || closed_after) {
			put_day(o, F_ended, end);
			programme_end_codes(r, o, ended ? status : "completed");
			/* Reported to NIR after the end; a share not yet, so that the
			 * end record is due. */
			long nir = end + rng_range(r, 2, 50);
			if (nir <= today && (closed_after || rng_pct(r, 85)))
				put_day(o, F_nir_registered, nir);
			/* Not yet: the programme was kept up to date in NIR until
			 * shortly before its end, so the end alone is due; an
			 * old end left out only now and then (no draw here, so
			 * that every other value stays as it was). */
			if (!o->v[F_nir_registered])
				put_day(o, F_nir_registered,
				        today - end <= 60 || end % 5 == 0 ? end - 7 : end + 20);
		} else if (rng_pct(r, 85)) {
			put_day(o, F_nir_registered, today - rng_range(r, 0, 20));
		} else {
			/* Behind by some weeks: the events of the last one to three
			 * months are not registered yet. */
			put_day(o, F_nir_registered, today - 30 - start % 60);
		}
		programme_lists(r, o, start, until, today, status, age_now < 25);
	} else if (requested) {
		settle = DAY_NONE;
	} else if (strcmp(status, "settled") == 0 && age_now >= 19 && age_now <= 56) {
		/* Waiting for the decision: due 3 months after settlement. */
		long due = today + due_offset(r, 80);
		settle = months_before(due, 3);
		if (settle > today)
			settle = today - rng_range(r, 0, 10);
		long mapped = DAY_NONE;
		if (rng_pct(r, 45) && today - settle > 10) {
			mapped = settle + rng_range(r, 5, (int)(today - settle));
			put_day(o, F_mapping_done, mapped);
		}
		if (o->v[F_mapping_done])
			put(o, F_mapping_source, "municipality");
		/* The mapping registered within its two months, some six weeks
		 * on: only the recent ones are still to register. */
		if (mapped != DAY_NONE && mapped + 40 <= today)
			put_day(o, F_nir_registered, mapped + 40);
	} else {
		settle = today - rng_range(r, 10, 1400);
	}

	/* Arrival, permit and settlement, before everything above. */
	static const struct pick origin_ua[] = {{"outside_reception", 55},
	                                        {"reception_centre", 45}};
	static const struct pick origin_other[] = {
	    {"reception_centre", 65}, {"resettlement", 25}, {"outside_reception", 10}};
	const char *from =
	    ua || no ? pick(r, origin_ua, N(origin_ua)) : pick(r, origin_other, N(origin_other));
	long base = settle != DAY_NONE ? settle : today + rng_range(r, 10, 120);
	if (strcmp(from, "resettlement") == 0) {
		/* Resettlement refugees come with their permit, and settle soon. */
		arrival = base - rng_range(r, 0, 7);
		permit = arrival - rng_range(r, 30, 200);
	} else if (ua) {
		permit = base - rng_range(r, 14, 120);
		arrival = permit - rng_range(r, 3, 40);
	} else {
		permit = base - rng_range(r, 20, 200);
		arrival = permit - rng_range(r, 60, 400);
	}
	if (requested) {
		/* Waiting in reception: a few arrived within the last weeks,
		 * their TB examination due. */
		arrival = today - rng_range(r, 2, 500);
		permit = arrival + rng_range(r, 20, 300);
		if (permit > today)
			permit = today - rng_range(r, 0, (int)(today - arrival) / 2);
	}
	if (programme && age_on(c->birth_days, permit) < 18) {
		/* Born close to the limit for the dates drawn: the permit came on
		 * the 18th birthday, before the settlement. */
		long adult = date_add_months(c->birth_days, 12L * 18);
		permit = adult < settle ? adult : settle - 1;
		if (arrival > permit)
			arrival = permit - rng_range(r, 3, 40);
	}
	put_day(o, F_arrival_norway, arrival);
	put_day(o, F_permit_granted, permit);
	put(o, F_duf_number,
	    rec_fmt(o, "%04d%08d", (int)(1970 + arrival / 365.2425), rng_range(r, 0, 99999999)));
	/* Collective protection for those fleeing Ukraine from 11 March 2022;
	 * a Ukrainian with an earlier permit got it on another basis. */
	if (ua && permit >= date_days("2022-03-11")) {
		put(o, F_permit_basis, "collective_protection");
		put(o, F_regime, "integreringsloven_6a");
	} else {
		static const struct pick basis[] = {{"a", 60}, {"b", 10}, {"c", 12}, {"d", 6},
		                                    {"e", 4},  {"f", 5},  {"g", 3}};
		put(o, F_permit_basis, pick(r, basis, N(basis)));
		put(o, F_regime,
		    permit < date_days("2021-01-01") ? "introduksjonsloven" : "integreringsloven");
	}
	put(o, F_settlement_origin, from);

	/* Health, from arrival (never from settlement). */
	bool reception = strcmp(from, "reception_centre") == 0;
	if (requested && today - arrival < 30 && rng_pct(r, 60)) {
		put(o, F_tb_status, "due");
	} else if (rng_pct(r, 6)) {
		put(o, F_tb_status, "not_required");
	} else if (reception && settle != DAY_NONE) {
		put(o, F_tb_status, "done_before_settlement");
		put_day(o, F_tb_screening, arrival + rng_range(r, 2, 13));
	} else if (today - arrival > 30 || rng_pct(r, 70)) {
		put(o, F_tb_status, "done");
		put_day(o, F_tb_screening,
		        day_in(r, arrival + 3, arrival + 20 < today ? arrival + 20 : today));
	} else {
		put(o, F_tb_status, "due");
	}
	/* The health check offered about 3 months after arrival: long done
	 * for most, due around today for the recent arrivals. */
	long check_due = date_add_months(arrival, 3);
	long offered = check_due - rng_range(r, 0, 20);
	if (offered <= today && rng_pct(r, 85))
		put_day(o, F_health_check_offered, offered);
	if (check_due < today - 45 ? rng_pct(r, 96) : check_due < today && rng_pct(r, 40)) {
		long done = offered + rng_range(r, 7, 30);
		put_day(o, F_health_check, done < today ? done : today);
	}
	if (rng_pct(r, 8))
		put(o, F_health_needs, pick(r, health_needs, N(health_needs)));

	/* Settled here: the date, the housing, the clocks of the programme. */
	if (settle != DAY_NONE) {
		bool agreement = !rng_pct(r, 12);
		put(o, F_settled_by_agreement, agreement ? "true" : "false");
		put_day(o, F_settlement_date, settle);
		/* A few settled elsewhere first: their right lapses two years
		 * after that first settlement, spread around today. */
		long first = settle;
		if (!programme && !requested && age_now >= 19 && age_now <= 56 && rng_pct(r, 10)) {
			long due = today + due_offset(r, 120);
			first = months_before(due, 24);
			if (first > settle)
				first = settle;
		}
		put_day(o, F_first_settlement_with_permit, first);
		if (!agreement && age_now >= 18) {
			long claim = settle + rng_range(r, 0, 20);
			put_day(o, F_programme_claim, claim > today ? today : claim);
		}
		if (rng_pct(r, 90)) {
			put(o, F_housing_address, rec_fmt(o, "%s", c->address));
			put_day(o, F_lease_start, settle - rng_range(r, 0, 14));
			put(o, F_rent, rec_fmt(o, "%d", rng_range(r, 55, 160) * 100));
		}
	}

	/* The person beyond the list's columns. */
	static const struct pick civil[] = {{"married", 55}, {"unmarried", 28}, {"divorced", 5},
	                                    {"widowed", 5},  {"separated", 3},  {"partner", 1},
	                                    {"unknown", 3}};
	put(o, F_civil_status, age_now < 18 ? "unmarried" : pick(r, civil, N(civil)));
	/* Unaccompanied minors: IMDi settles those of 15 and over, Bufetat
	 * the younger (domain-rules.md 4); the ledger counts them apart. The
	 * one draw as before, so the cases after are the same. */
	int arrival_age = age_on(c->birth_days, arrival);
	if (arrival_age < 18)
		put(o, F_unaccompanied_minor,
		    rng_pct(r, arrival_age >= 15 ? 40 : 4) ? "true" : "false");
	if (rng_pct(r, 35) && age_now >= 16)
		put(o, F_email, rec_fmt(o, "person%06d@example.org", index + 1));
	if (age_now < 25 && age_now >= 18)
		put(o, F_lives_with_parent, rng_pct(r, 40) ? "true" : "false");
	if (programme && rng_pct(r, 85)) {
		static const unsigned char w[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
		char acct[13];
		static const char *const banks[] = {"1503", "1602", "3000", "9710", "1254"};
		mod11_number(r, w, 10, banks[rng_below(r, N(banks))], acct);
		put(o, F_account, rec_fmt(o, "%s", acct));
	}

	/* The household: the younger ones with their family, a spouse now and
	 * then reunified with a person settled before (an earlier case). */
	if (rng_pct(r, 55)) {
		put(o, F_household_id, rec_fmt(o, "h%05d", index / 3 + 1));
		put(o, F_relation,
		    age_now < 18     ? "child"
		    : age_now > 60   ? "parent"
		    : rng_pct(r, 85) ? "spouse"
		                     : "other");
	}
	if (index > 0 && !requested && rng_pct(r, 7)) {
		put(o, F_family_reunification, "true");
		put(o, F_reference_person, rec_fmt(o, "%d", rng_range(r, 1, index)));
	}

	/* Language: Dari as prs or fa-AF, Kurdish as Sorani or Kurmanji. */
	if (strcmp(c->language, "fa") == 0 && strcmp(c->citizenship, "AF") == 0) {
		int x = rng_range(r, 1, 100);
		put(o, F_language, x <= 35 ? "prs" : x <= 55 ? "fa-AF" : "fa");
	} else if (strcmp(c->language, "ku") == 0) {
		put(o, F_language, rng_pct(r, 50) ? "ckb" : "kmr");
	}
	if (c->interpreter)
		put(o, F_interpreter_language, o->v[F_language] ? o->v[F_language] : c->language);

	/* Address protection, rare: the real address in its own class. */
	if (rng_pct(r, 2)) {
		put(o, F_address_protection,
		    rng_pct(r, 70) ? "confidential" : "strictly_confidential");
		put(o, F_protected_address,
		    rec_fmt(o, "%s %d", pick(r, streets, N(streets)), rng_range(r, 1, 60)));
	} else if (rng_pct(r, 20)) {
		put(o, F_address_protection, "none");
	}
	put(o, F_status, status);
}

/* The case's person (the first stream's draws) into its record. */
static void person_values(const struct case_out *c, struct rec *o)
{
	put(o, F_caseworker, c->caseworker);
	put(o, F_given_name, c->given);
	put(o, F_family_name, c->family);
	put(o, F_birth_date, c->birth);
	put(o, F_sex, c->sex);
	put(o, F_national_id, c->nid);
	put(o, F_citizenship, c->citizenship);
	put(o, F_phone, c->phone);
	if (!o->v[F_language])
		put(o, F_language, c->language);
	put(o, F_municipality, c->municipality);
	put(o, F_address, c->address);
	put(o, F_interpreter_needed, c->interpreter ? "true" : "false");
}

/* Every value through the store's own validation: a generator bug must not
 * pass for a validator bug further down the line. */
static const char *check_rec(const struct rec *o, long today)
{
	static char buf[1024];
	size_t outlen;

	for (int f = 0; f < F_COUNT; f++) {
		const char *v = o->v[f];
		if (!v)
			continue;
		if (f != F_status && f != F_caseworker &&
		    field_normalise((enum field_id)f, v, strlen(v), buf, sizeof buf, &outlen))
			return field_catalogue[f].id;
		if (field_catalogue[f].type == FT_DATE && date_days(v) > today &&
		    field_catalogue[f].check == CHECK_PAST_DATE)
			return field_catalogue[f].id;
	}
	for (int i = 0; i < o->nitems; i++)
		for (int f = 0; f < I_COUNT; f++) {
			const char *v = o->item[i].v[f];
			if (v && item_normalise((enum item_field_id)f, v, strlen(v), buf,
			                        sizeof buf, &outlen))
				return item_catalogue[f].f.id;
		}
	return NULL;
}

/* ---- output ----------------------------------------------------------------- */

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

static void json_member(FILE *f, bool *first, const char *key, const char *v, bool boolean)
{
	if (!key || !v)
		return;
	if (!*first)
		putc(',', f);
	*first = false;
	json_write_string(f, key, strlen(key));
	putc(':', f);
	if (boolean)
		fputs(v, f); /* a JSON boolean */
	else
		json_write_string(f, v, strlen(v));
}

/* --basic: what the generator wrote before issue 10, the person and contact
 * only (and a completed programme's end), for tests of the screens that
 * must not change with the caseload's dates. */
static const enum field_id basic_columns[] = {
    F_status,
    F_caseworker,
    F_given_name,
    F_family_name,
    F_birth_date,
    F_sex,
    F_national_id,
    F_citizenship,
    F_phone,
    F_language,
    F_municipality,
    F_address,
    F_interpreter_needed,
    F_ended,
    F_end_reason,
    F_main_activity_at_end,
    F_nir_registered,
};

static void basic_values(const struct case_out *c, long ref, struct rec *o)
{
	person_values(c, o);
	put(o, F_status, c->status);
	if (strcmp(c->status, "completed") == 0) {
		/* From what was drawn, not from the stream. */
		static const char *const reasons[] = {"goal_reached", "goal_reached", "time_used"};
		static const char *const activities[] = {"work_full_time", "work_part_time",
		                                         "education", "job_seeker"};
		long k = c->birth_days < 0 ? -c->birth_days : c->birth_days;
		put_day(o, F_ended, ref - 20 - k % 700);
		put_day(o, F_nir_registered, ref - 10 - k % 700);
		put(o, F_end_reason, reasons[k % N(reasons)]);
		put(o, F_main_activity_at_end, activities[k % N(activities)]);
	}
}

static void write_basic(FILE *f, const struct rec *o, bool jsonl, bool header)
{
	bool first = true;

	if (header) {
		for (size_t i = 0; i < N(basic_columns); i++)
			fprintf(f, "%s%s", i ? "," : "", field_catalogue[basic_columns[i]].id);
		putc('\n', f);
		return;
	}
	if (jsonl)
		putc('{', f);
	for (size_t i = 0; i < N(basic_columns); i++) {
		enum field_id fid = basic_columns[i];
		const char *v = o->v[fid] ? o->v[fid] : "";
		if (!jsonl) {
			if (i)
				putc(',', f);
			csv_field(f, v);
		} else if (*v) {
			json_member(f, &first, field_catalogue[fid].id, v,
			            field_catalogue[fid].type == FT_BOOL);
		}
	}
	fputs(jsonl ? "}\n" : "\n", f);
}

/* The CSV's columns: every field of the catalogue. Lists come in JSON Lines
 * only (a CSV has one row a case, and its importer CSV_MAX_FIELDS columns). */
static void write_csv_header(FILE *f)
{
	for (int i = 0; i < F_COUNT; i++)
		fprintf(f, "%s%s", i ? "," : "", field_catalogue[i].id);
	putc('\n', f);
}

static void write_csv(FILE *f, const struct rec *o)
{
	for (int i = 0; i < F_COUNT; i++) {
		if (i)
			putc(',', f);
		csv_field(f, o->v[i] ? o->v[i] : "");
	}
	putc('\n', f);
}

static void write_jsonl(FILE *f, const struct rec *o)
{
	bool first = true;

	putc('{', f);
	for (int i = 0; i < F_COUNT; i++)
		if (o->v[i]) /* no value: no member */
			json_member(f, &first, field_catalogue[i].id, o->v[i],
			            field_catalogue[i].type == FT_BOOL);
	for (int l = 0; l < L_COUNT; l++) {
		bool any = false;
		for (int k = 0; k < o->nitems; k++) {
			if (o->item[k].l != (enum list_id)l)
				continue;
			if (!any) {
				if (!first)
					putc(',', f);
				first = false;
				json_write_string(f, list_catalogue[l].id,
				                  strlen(list_catalogue[l].id));
				fputs(":[", f);
			} else {
				putc(',', f);
			}
			any = true;
			bool ifirst = true;
			putc('{', f);
			for (int i = 0; i < I_COUNT; i++)
				if (o->item[k].v[i])
					json_member(f, &ifirst, item_catalogue[i].f.id,
					            o->item[k].v[i],
					            item_catalogue[i].f.type == FT_BOOL);
			putc('}', f);
		}
		if (any)
			putc(']', f);
	}
	fputs("}\n", f);
}

/* ---- the entry points --------------------------------------------------------- */

void synth_ids(FILE *f)
{
	for (int i = 0; i < F_COUNT; i++)
		fprintf(f, "%s\n", field_catalogue[i].id);
	for (int i = 0; i < I_COUNT; i++)
		fprintf(f, "%s.%s\n", list_catalogue[item_catalogue[i].list].id,
		        item_catalogue[i].f.id);
}

/* The person from the first stream, as before there were dates: a seed's
 * names, birth dates and ids stay what they were. The rest from a stream of
 * its own per case. */
int synth_write(FILE *f, uint64_t seed, uint64_t count, bool jsonl, char *err, size_t errlen)
{
	return synth_write_on(f, seed, count, jsonl, NULL, false, err, errlen);
}

int synth_write_on(FILE *f, uint64_t seed, uint64_t count, bool jsonl, const char *today_iso,
                   bool basic, char *err, size_t errlen)
{
	/* At most half full, so probing stays short. */
	size_t cap = 64;
	while (cap < 2 * count)
		cap *= 2;
	struct idset seen = {calloc(cap, sizeof(uint64_t)), cap - 1};
	struct rng r = {seed};
	long ref = date_days(REFERENCE_DATE);
	long today = today_iso ? date_days(today_iso) : ref;
	struct rec *o = malloc(sizeof *o);
	int rc = 0;

	if (!seen.slot || !o) {
		free(seen.slot);
		free(o);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!jsonl && basic)
		write_basic(f, o, false, true);
	else if (!jsonl)
		write_csv_header(f);
	for (uint64_t i = 0; i < count && rc == 0; i++) {
		struct case_out c;
		struct rng life = {seed ^ (0xD1B54A32D192ED03ULL * (i + 1))};
		const char *what;

		rng_next(&life);
		make_case(&r, &seen, ref, &c);
		what = check_case(&c);
		if (!what && (date_days(c.birth) != c.birth_days || c.birth_days > ref))
			what = "birth_date";
		if (!what) {
			memset(o->v, 0, sizeof o->v);
			o->nitems = 0;
			o->used = 0;
			if (basic) {
				basic_values(&c, ref, o);
			} else {
				make_life(&life, &c, (int)i, today, ref, o);
				person_values(&c, o);
			}
			what = check_rec(o, today);
		}
		if (what) {
			snprintf(err, errlen, "internal error: case %" PRIu64 " has an invalid %s",
			         i, what);
			rc = -1;
		} else if (basic) {
			write_basic(f, o, jsonl, false);
		} else if (jsonl) {
			write_jsonl(f, o);
		} else {
			write_csv(f, o);
		}
	}
	free(seen.slot);
	free(o);
	return rc;
}
