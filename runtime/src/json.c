/*===- json.c - a small strict JSON parser for manifests ------------------===*/

#include "fpenv.h"
#include "internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
  const char *text;
  size_t size, pos;
  int depth;
} parser_t;

static hetc_status_t fail(parser_t *p, const char *what) {
  return hetc_make_status(HETC_STATUS_DATA_LOSS,
                          "artifact manifest is not valid JSON: %s at byte %zu",
                          what, p->pos);
}

static void skip_space(parser_t *p) {
  while (p->pos < p->size && strchr(" \t\n\r", p->text[p->pos]) &&
         p->text[p->pos])
    ++p->pos;
}

static hetc_status_t parse_value(parser_t *p, json_value_t **out);

static hetc_status_t parse_string(parser_t *p, char **out) {
  if (p->pos >= p->size || p->text[p->pos] != '"')
    return fail(p, "expected a string");
  ++p->pos;
  size_t cap = 16, len = 0;
  char *s = malloc(cap);
  if (!s)
    return fail(p, "out of memory");
  while (1) {
    if (p->pos >= p->size) {
      free(s);
      return fail(p, "unterminated string");
    }
    char c = p->text[p->pos++];
    if (c == '"')
      break;
    if ((unsigned char)c < 0x20) {
      free(s);
      return fail(p, "control character in string");
    }
    if (c == '\\') {
      if (p->pos >= p->size) {
        free(s);
        return fail(p, "unterminated escape");
      }
      char e = p->text[p->pos++];
      switch (e) {
      case '"':
      case '\\':
      case '/':
        c = e;
        break;
      case 'b':
        c = '\b';
        break;
      case 'f':
        c = '\f';
        break;
      case 'n':
        c = '\n';
        break;
      case 'r':
        c = '\r';
        break;
      case 't':
        c = '\t';
        break;
      case 'u': {
        /* Manifests are ASCII; keep \u escapes of ASCII only. */
        if (p->pos + 4 > p->size) {
          free(s);
          return fail(p, "short \\u escape");
        }
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
          char h = p->text[p->pos++];
          v <<= 4;
          if (h >= '0' && h <= '9')
            v |= (unsigned)(h - '0');
          else if (h >= 'a' && h <= 'f')
            v |= (unsigned)(h - 'a' + 10);
          else if (h >= 'A' && h <= 'F')
            v |= (unsigned)(h - 'A' + 10);
          else {
            free(s);
            return fail(p, "bad \\u escape");
          }
        }
        /* A NUL would silently cut the name short where C reads it. */
        if (v == 0) {
          free(s);
          return fail(p, "\\u0000 in a string");
        }
        c = v < 0x80 ? (char)v : '?';
        break;
      }
      default:
        free(s);
        return fail(p, "unknown escape");
      }
    }
    if (len + 2 > cap) {
      cap *= 2;
      char *grown = realloc(s, cap);
      if (!grown) {
        free(s);
        return fail(p, "out of memory");
      }
      s = grown;
    }
    s[len++] = c;
  }
  s[len] = '\0';
  *out = s;
  return NULL;
}

static hetc_status_t parse_container(parser_t *p, json_value_t *v, bool object,
                                     size_t *capacity) {
  char close = object ? '}' : ']';
  ++p->pos;
  skip_space(p);
  if (p->pos < p->size && p->text[p->pos] == close) {
    ++p->pos;
    return NULL;
  }
  while (1) {
    skip_space(p);
    char *key = NULL;
    if (object) {
      hetc_status_t status = parse_string(p, &key);
      if (status)
        return status;
      skip_space(p);
      if (p->pos >= p->size || p->text[p->pos] != ':') {
        free(key);
        return fail(p, "expected ':'");
      }
      ++p->pos;
    }
    /* Which of two equal keys a reader takes is unspecified: refuse them.
     * Manifest objects are small, so a linear scan is enough. */
    for (size_t i = 0; object && i < v->count; ++i)
      if (!strcmp(v->keys[i], key)) {
        free(key);
        return fail(p, "duplicate key");
      }
    json_value_t *item = NULL;
    hetc_status_t status = parse_value(p, &item);
    if (status) {
      free(key);
      return status;
    }
    /* Geometric growth: a long list parses in linear time. */
    if (v->count == *capacity) {
      size_t grown = *capacity ? 2 * *capacity : 8;
      json_value_t **items = realloc(v->items, grown * sizeof(*items));
      if (items)
        v->items = items;
      char **keys =
          object && items ? realloc(v->keys, grown * sizeof(*keys)) : NULL;
      if (keys)
        v->keys = keys;
      if (!items || (object && !keys)) {
        free(key);
        json_free(item);
        return fail(p, "out of memory");
      }
      *capacity = grown;
    }
    v->items[v->count] = item;
    if (object)
      v->keys[v->count] = key;
    ++v->count;
    skip_space(p);
    if (p->pos < p->size && p->text[p->pos] == ',') {
      ++p->pos;
      continue;
    }
    if (p->pos < p->size && p->text[p->pos] == close) {
      ++p->pos;
      return NULL;
    }
    return fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}

static bool literal(const parser_t *p, const char *word) {
  size_t n = strlen(word);
  return p->size - p->pos >= n && !memcmp(p->text + p->pos, word, n);
}

static bool digit_at(const parser_t *p, size_t pos) {
  return pos < p->size && isdigit((unsigned char)p->text[pos]);
}

/* RFC 8259's grammar exactly: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?,
 * so no leading zeros, no bare '.', no '+'; and the value must be finite. */
static hetc_status_t parse_number(parser_t *p, double *out) {
  size_t start = p->pos, pos = p->pos;
  if (pos < p->size && p->text[pos] == '-')
    ++pos;
  if (!digit_at(p, pos))
    return fail(p, "malformed number");
  if (p->text[pos] == '0' && digit_at(p, pos + 1)) {
    p->pos = pos;
    return fail(p, "number with a leading zero");
  }
  while (digit_at(p, pos))
    ++pos;
  if (pos < p->size && p->text[pos] == '.') {
    if (!digit_at(p, ++pos))
      return fail(p, "malformed number");
    while (digit_at(p, pos))
      ++pos;
  }
  if (pos < p->size && (p->text[pos] == 'e' || p->text[pos] == 'E')) {
    ++pos;
    if (pos < p->size && (p->text[pos] == '+' || p->text[pos] == '-'))
      ++pos;
    if (!digit_at(p, pos))
      return fail(p, "malformed number");
    while (digit_at(p, pos))
      ++pos;
  }
  char buffer[64];
  if (pos - start >= sizeof(buffer))
    return fail(p, "number too long");
  memcpy(buffer, p->text + start, pos - start);
  buffer[pos - start] = '\0';
  /* strtod rounds in the caller's mode; a manifest means the nearest. */
  hetc_fp_saved_t fp = hetc_fp_enter();
  double value = strtod(buffer, NULL);
  hetc_fp_leave(fp);
  if (!isfinite(value))
    return fail(p, "number out of range");
  p->pos = pos;
  *out = value;
  return NULL;
}

static hetc_status_t parse_value(parser_t *p, json_value_t **out) {
  skip_space(p);
  if (p->pos >= p->size)
    return fail(p, "unexpected end");
  if (++p->depth > 64)
    return fail(p, "nesting too deep");
  json_value_t *v = calloc(1, sizeof(*v));
  if (!v)
    return fail(p, "out of memory");
  hetc_status_t status = NULL;
  char c = p->text[p->pos];
  if (c == '{' || c == '[') {
    v->kind = c == '{' ? JSON_OBJECT : JSON_ARRAY;
    size_t capacity = 0;
    status = parse_container(p, v, c == '{', &capacity);
  } else if (c == '"') {
    v->kind = JSON_STRING;
    status = parse_string(p, &v->string);
  } else if (literal(p, "true") || literal(p, "false")) {
    v->kind = JSON_BOOL;
    v->boolean = c == 't';
    p->pos += v->boolean ? 4 : 5;
  } else if (literal(p, "null")) {
    v->kind = JSON_NULL;
    p->pos += 4;
  } else if (c == '-' || isdigit((unsigned char)c)) {
    v->kind = JSON_NUMBER;
    status = parse_number(p, &v->number);
  } else {
    status = fail(p, "unexpected character");
  }
  --p->depth;
  if (status) {
    json_free(v);
    return status;
  }
  *out = v;
  return NULL;
}

hetc_status_t json_parse(const char *text, size_t size, json_value_t **out) {
  parser_t p = {text, size, 0, 0};
  hetc_status_t status = parse_value(&p, out);
  if (status)
    return status;
  skip_space(&p);
  if (p.pos != p.size) {
    json_free(*out);
    *out = NULL;
    return fail(&p, "trailing characters");
  }
  return NULL;
}

void json_free(json_value_t *value) {
  if (!value)
    return;
  for (size_t i = 0; i < value->count; ++i) {
    json_free(value->items[i]);
    if (value->keys)
      free(value->keys[i]);
  }
  free(value->items);
  free(value->keys);
  free(value->string);
  free(value);
}

const json_value_t *json_get(const json_value_t *object, const char *key) {
  if (!object || object->kind != JSON_OBJECT)
    return NULL;
  for (size_t i = 0; i < object->count; ++i)
    if (!strcmp(object->keys[i], key))
      return object->items[i];
  return NULL;
}
