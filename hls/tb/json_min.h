// json_min.h -- a minimal JSON reader for the test-vector index (objects, arrays, strings, numbers,
// true/false/null; no \u escapes beyond ASCII). Throws std::runtime_error on malformed input.
#ifndef QCSR_TB_JSON_MIN_H_
#define QCSR_TB_JSON_MIN_H_

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace jsonmin {

struct Value {
    enum Kind { NUL, BOOL, NUM, STR, ARR, OBJ } kind = NUL;
    bool b = false;
    double num = 0;
    std::string str;
    std::vector<Value> arr;
    std::vector<std::pair<std::string, Value>> obj;

    const Value* find(const std::string& key) const {
        for (const auto& kv : obj) {
            if (kv.first == key) return &kv.second;
        }
        return nullptr;
    }
    const Value& at(const std::string& key) const {
        const Value* v = find(key);
        if (!v) throw std::runtime_error("JSON: missing key '" + key + "'");
        return *v;
    }
    long long as_int() const {
        if (kind != NUM) throw std::runtime_error("JSON: not a number");
        return static_cast<long long>(num);
    }
    const std::string& as_str() const {
        if (kind != STR) throw std::runtime_error("JSON: not a string");
        return str;
    }
};

class Parser {
  public:
    explicit Parser(const std::string& text) : s_(text) {}
    Value parse() {
        Value v = value();
        ws();
        if (i_ != s_.size()) fail("trailing characters");
        return v;
    }

  private:
    const std::string& s_;
    size_t i_ = 0;

    [[noreturn]] void fail(const char* what) const {
        throw std::runtime_error(std::string("JSON: ") + what + " at offset " + std::to_string(i_));
    }
    void ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) i_++;
    }
    bool lit(const char* w) {
        size_t n = 0;
        while (w[n]) n++;
        if (s_.compare(i_, n, w) == 0) {
            i_ += n;
            return true;
        }
        return false;
    }
    std::string string() {
        if (s_[i_] != '"') fail("expected string");
        i_++;
        std::string out;
        while (i_ < s_.size() && s_[i_] != '"') {
            char c = s_[i_++];
            if (c == '\\') {
                if (i_ >= s_.size()) fail("bad escape");
                char e = s_[i_++];
                switch (e) {
                    case 'n': out += '\n'; break;
                    case 't': out += '\t'; break;
                    case 'r': out += '\r'; break;
                    case 'b': out += '\b'; break;
                    case 'f': out += '\f'; break;
                    case 'u': {
                        if (i_ + 4 > s_.size()) fail("bad \\u escape");
                        const long cp = std::strtol(s_.substr(i_, 4).c_str(), nullptr, 16);
                        out += cp < 128 ? static_cast<char>(cp) : '?';
                        i_ += 4;
                        break;
                    }
                    default: out += e; break;
                }
            } else {
                out += c;
            }
        }
        if (i_ >= s_.size()) fail("unterminated string");
        i_++;
        return out;
    }
    Value value() {
        ws();
        if (i_ >= s_.size()) fail("unexpected end");
        Value v;
        const char c = s_[i_];
        if (c == '{') {
            v.kind = Value::OBJ;
            i_++;
            ws();
            if (s_[i_] == '}') {
                i_++;
                return v;
            }
            for (;;) {
                ws();
                std::string k = string();
                ws();
                if (s_[i_] != ':') fail("expected ':'");
                i_++;
                v.obj.emplace_back(k, value());
                ws();
                if (s_[i_] == ',') {
                    i_++;
                } else if (s_[i_] == '}') {
                    i_++;
                    return v;
                } else {
                    fail("expected ',' or '}'");
                }
            }
        }
        if (c == '[') {
            v.kind = Value::ARR;
            i_++;
            ws();
            if (s_[i_] == ']') {
                i_++;
                return v;
            }
            for (;;) {
                v.arr.push_back(value());
                ws();
                if (s_[i_] == ',') {
                    i_++;
                } else if (s_[i_] == ']') {
                    i_++;
                    return v;
                } else {
                    fail("expected ',' or ']'");
                }
            }
        }
        if (c == '"') {
            v.kind = Value::STR;
            v.str = string();
            return v;
        }
        if (lit("true")) {
            v.kind = Value::BOOL;
            v.b = true;
            return v;
        }
        if (lit("false")) {
            v.kind = Value::BOOL;
            return v;
        }
        if (lit("null")) return v;
        const char* start = s_.c_str() + i_;
        char* end = nullptr;
        v.num = std::strtod(start, &end);
        if (end == start) fail("unexpected character");
        v.kind = Value::NUM;
        i_ += static_cast<size_t>(end - start);
        return v;
    }
};

inline Value parse(const std::string& text) { return Parser(text).parse(); }

}  // namespace jsonmin

#endif  // QCSR_TB_JSON_MIN_H_
