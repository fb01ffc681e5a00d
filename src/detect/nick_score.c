/* SPDX-License-Identifier: MIT
 * nick_score.c — how bot-like an IRC nickname, USER line or message text looks. In the spirit
 * of Rishi (Goebel and Holz, HotBots 2007): bots of the 2000s took nicknames from templates
 * (country/OS/id tags such as "[USA|XP|4821]", a fixed prefix with a random body such as the
 * first seed's "^auzwybp", long runs of digits), which a few character-level features
 * separate from the names people choose. The score is a sum of those features, capped at 1;
 * docs/detect.md lists each weight and the threshold (0.5), tests/unit/test_detect.c checks
 * them on real human and bot nicknames. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "detect/detect.h"
#include "proto/proto.h"

/* The 150 most frequent letter pairs of English text: a random string has few of them, a
 * chosen name (alice, bob, tommy_k, dragonfly) mostly these. */
static const char common_bigrams[] =
    "th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io "
    "le ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns di fo ho "
    "pe ec pr no ct us ac ot il tr ly nc et ut ss so rs un lo wa ge ie wh ee wi em ad ol rt "
    "po we na ul ni ts mo ow pa im mi ai sh ir su id os iv ia am fi ci vi pl ig tu ev ld ry "
    "mp fe bl ab gh ty op wo sa ay ex ke fr oo av ag ap gr od bo sp rd do uc bu ei ov by rm "
    "ep tt oc fa ef cu rn sc gi da yo cr cl du ga qu ue ff ba ey ls va um pp ua up lu go ";

static bool bigram_common(int a, int b)
{
    for (const char *p = common_bigrams; p[0] && p[1]; p += 3)
        if (p[0] == a && p[1] == b)
            return true;
    return false;
}

static bool is_vowel(int c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static const char *const bot_words[] = { "bot", "drone", "zombie", "zomb", "slave", "infected" };

/* Lower case, and the digits people use for letters ("b0t", "dr0ne", "z0mb13") read back. */
static int unleet(int c)
{
    switch (c) {
    case '0': return 'o';
    case '1': return 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '7': return 't';
    default: return tolower(c);
    }
}

static bool has_word(const uint8_t *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;
        while (j < k && unleet(s[i + j]) == w[j])
            j++;
        if (j == k)
            return true;
    }
    return false;
}

static bool bot_word(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < sizeof bot_words / sizeof bot_words[0]; i++)
        if (has_word(s, n, bot_words[i]))
            return true;
    return false;
}

/* "[USA|XP|4821]", "USA|4567892", "[00|DEU|597660]": tokens between '|', brackets or '-',
 * one of them 2-4 capitals (a country or OS) and another all digits, or three or more tokens
 * of capitals and digits. "john|AFK" is not a tag: no digits. */
static bool has_tag(const uint8_t *s, size_t n)
{
    unsigned tokens = 0, caps = 0, digits = 0, capdig = 0;
    for (size_t i = 0; i <= n;) {
        size_t j = i;
        while (j < n && !strchr("|[]{}-", s[j]))
            j++;
        size_t len = j - i;
        if (len) {
            unsigned up = 0, dg = 0;
            for (size_t k = i; k < j; k++) {
                up += isupper(s[k]) != 0;
                dg += isdigit(s[k]) != 0;
            }
            tokens++;
            if (up == len && len >= 2 && len <= 4)
                caps++;
            if (dg == len && len >= 2)
                digits++;
            if (up + dg == len)
                capdig++;
        }
        i = j + 1;
    }
    return tokens >= 2 && ((caps && digits) || capdig >= 3);
}

static void why_add(struct nick_score *o, const char *w, double v)
{
    o->score += v;
    size_t l = strlen(o->why);
    snprintf(o->why + l, sizeof o->why - l, "%s%s", l ? ", " : "", w);
}

void nick_score(const uint8_t *nick, size_t n, struct nick_score *o)
{
    memset(o, 0, sizeof *o);
    if (!n)
        return;
    if (has_tag(nick, n))
        why_add(o, "country/OS/id tag", 0.6);
    if (bot_word(nick, n))
        why_add(o, "bot word", 0.3);
    size_t run = 0, best_digits = 0, transitions = 0;
    for (size_t i = 0; i < n; i++) {
        run = isdigit(nick[i]) ? run + 1 : 0;
        if (run > best_digits)
            best_digits = run;
        if (i && isalpha(nick[i]) && isdigit(nick[i - 1]))
            transitions++;
        if (i && isdigit(nick[i]) && isalpha(nick[i - 1]))
            transitions++;
    }
    if (best_digits >= 4)
        why_add(o, "run of digits", 0.3);
    else if (best_digits == 3)
        why_add(o, "run of digits", 0.15);
    if (transitions >= 3)
        why_add(o, "letters and digits interleaved", 0.2);
    /* the longest run of letters: how many of its pairs are common in English */
    size_t bs = 0, bl = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && isalpha(nick[j]))
            j++;
        if (j - i > bl) {
            bs = i;
            bl = j - i;
        }
        i = j > i ? j : i + 1;
    }
    if (bl >= 6) {
        unsigned pairs = 0, common = 0, cons = 0, cons_best = 0;
        for (size_t i = bs; i < bs + bl; i++) {
            int c = tolower(nick[i]);
            cons = is_vowel(c) ? 0 : cons + 1;
            if (cons > cons_best)
                cons_best = cons;
            if (i > bs) {
                pairs++;
                common += bigram_common(tolower(nick[i - 1]), c);
            }
        }
        double rare = 1.0 - (double)common / pairs;
        if (rare >= 0.6)
            why_add(o, "random letters", 0.35);
        else if (rare >= 0.45)
            why_add(o, "random letters", 0.2);
        if (cons_best >= 6)
            why_add(o, "long consonant run", 0.25);
        else if (cons_best >= 4)
            why_add(o, "consonant run", 0.15);
    }
    /* a fixed special prefix and then a generated body: "^auzwybp", "_x7f3k2", "|a8d9f" */
    if (n >= 6 && strchr("^_|`~-", nick[0]) && isalnum(nick[1])) {
        size_t k = 1;
        while (k < n && isalnum(nick[k]))
            k++;
        if (k == n)
            why_add(o, "special prefix", 0.2);
    }
    if (o->score > 1.0)
        o->score = 1.0;
}

void nick_shape(const uint8_t *nick, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        int c = nick[i];
        out[k++] = (char)(islower(c) ? 'a' : isupper(c) ? 'A' : isdigit(c) ? '9'
                          : isprint(c) ? c : '?');
    }
    if (cap)
        out[k] = 0;
}

bool irc_user_botlike(const uint8_t *user, size_t n)
{
    return bot_word(user, n);
}

bool text_encoded(const uint8_t *s, size_t n, const char **how)
{
    /* the longest space-separated token, which must be most of the text */
    size_t bs = 0, bl = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j] != ' ')
            j++;
        if (j - i > bl) {
            bs = i;
            bl = j - i;
        }
        i = j + 1;
    }
    if (bl < 16 || bl * 10 < n * 6)
        return false;
    const uint8_t *t = s + bs;
    bool hex = bl % 2 == 0, b64 = true;
    unsigned up = 0, lo = 0, dig = 0, pad = 0, sym = 0;
    for (size_t i = 0; i < bl; i++) {
        int c = t[i];
        if (!isxdigit(c))
            hex = false;
        if (isupper(c))
            up++;
        else if (islower(c))
            lo++;
        else if (isdigit(c))
            dig++;
        else if (c == '=' && i + 2 >= bl)
            pad++;
        else if (c == '+' || c == '/' || c == '-' || c == '_')
            sym++;
        else
            b64 = false;
    }
    double h = proto_entropy_x100(t, bl) / 100.0;      /* bits per byte */
    if (hex && dig && (up + lo) && h >= 3.0) {
        *how = "hex";
        return true;
    }
    /* random base64 mixes cases throughout and, at this length, almost always has a digit,
     * '+', '/' or padding; a long word or a CamelCase name does not */
    if (b64 && up >= 2 && lo >= 2 && (dig || sym || pad) && h >= 3.5 &&
        (pad || bl % 4 == 0 || bl >= 24)) {
        *how = "base64";
        return true;
    }
    if (h >= 4.5) {
        *how = "high-entropy";
        return true;
    }
    return false;
}
