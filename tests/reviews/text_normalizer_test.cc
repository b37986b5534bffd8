#include "services/reviews/text_normalizer.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftersales::reviews {
namespace {

TEST(NormalizeForMatching, FoldsCaseAccentsAndFullWidthLetters) {
  EXPECT_EQ(NormalizeLiteral("RÉMÖVÉ"), "remove");
  EXPECT_EQ(NormalizeLiteral("ｒｅｍｏｖｅ"), "remove");
  EXPECT_EQ(NormalizeLiteral("Straße"), "strasse");
  EXPECT_EQ(NormalizeLiteral("ändern"), "andern");
  // Decomposed accents (e + combining acute) fold like precomposed ones.
  EXPECT_EQ(NormalizeLiteral("re\xCC\x81move"), "remove");
}

TEST(NormalizeForMatching, MathematicalLettersBeyondTheBmpFold) {
  EXPECT_EQ(NormalizeLiteral("𝐫𝐞𝐦𝐨𝐯𝐞"), "remove");
}

TEST(NormalizeForMatching, InvisibleCharactersDisappear) {
  EXPECT_EQ(NormalizeLiteral("re\u200Bmo\u00ADve\u2060 re\uFEFFview\u200D"), "remove review");
}

TEST(NormalizeForMatching, LookAlikesFromCyrillicAndGreekBecomeLatin) {
  EXPECT_EQ(NormalizeLiteral("rеmоvе"), "remove");       // Cyrillic е and о
  EXPECT_EQ(NormalizeLiteral("dεlεtε yοur rαting"), "delete your rating");  // Greek ε ο α
}

TEST(NormalizeForMatching, SymbolsBetweenLettersAreTheLettersTheyStandFor) {
  EXPECT_EQ(NormalizeLiteral("rev!ew fre$h he|p"), "review fresh help");
  // Money and exclamations keep their meaning.
  EXPECT_EQ(NormalizeLiteral("$10 off! Thanks!"), "$10 off! thanks!");
  // @ stays (e-mail addresses need it); the phrase skeleton reads it as a, and l as i.
  EXPECT_EQ(NormalizeLiteral("upd@te"), "upd@te");
  EXPECT_EQ(NormalizeLiteral("a 5-$t@r"), "a 5-st@r");
  EXPECT_EQ(PhraseSkeletonLiteral("a 5-$t@r, hello"), "a 5-star, heio");
}

TEST(NormalizeForMatching, WhiteSpaceRunsBecomeOneSpace) {
  EXPECT_EQ(NormalizeLiteral("an \t  bb\u3000cc\u00A0dd"), "an bb cc dd");
}

TEST(NormalizeForMatching, LettersSpelledOutOneByOneAreOneWord) {
  EXPECT_EQ(NormalizeLiteral("r e m o v e the r.e.v.i.e.w, u-p-d-a-t-e it"), "remove the review, update it");
  // Fewer than three stay apart: "a review" is two words.
  EXPECT_EQ(NormalizeLiteral("a review, I a"), "a review, i a");
}

TEST(NormalizeForMatching, DigitsBetweenLettersAreTheLettersTheyImitate) {
  EXPECT_EQ(NormalizeLiteral("upd4te your r3v13w, g00d"), "update your review, good");
  // Numbers keep their meaning: alone, at a word's edge, in order ids and prices.
  EXPECT_EQ(NormalizeLiteral("5 stars, 5star, $10, 113-2345678-1234567"), "5 stars, 5star, $10, 113-2345678-1234567");
}

TEST(NormalizeForMatching, SeparatorsBetweenCjkCharactersGo) {
  EXPECT_EQ(NormalizeLiteral("删 除 评.价"), "删除评价");
  EXPECT_EQ(NormalizeLiteral("好评 and"), "好评 and");
}

TEST(NormalizeForMatching, TraditionalChineseBecomesSimplified) {
  EXPECT_EQ(NormalizeLiteral("刪除評價"), "删除评价");
}

TEST(NormalizeForMatching, KanaKeepTheirVoicingAndHalfWidthKanaWiden) {
  EXPECT_EQ(NormalizeLiteral("レビューを削除"), "レビューを削除");
  EXPECT_EQ(NormalizeLiteral("ﾚﾋﾞｭｰ"), NormalizeLiteral("レヒ\u3099ュー"));
}

TEST(NormalizeForMatching, MapsEveryByteBackToTheCharacterItCameFrom) {
  const std::string input = "Ｒé\u200Bview 评价";
  const NormalizedText n = NormalizeForMatching(input);
  EXPECT_EQ(n.text, "review 评价");
  EXPECT_EQ(n.source_length, 10u);
  ASSERT_EQ(n.source.size(), n.text.size());
  EXPECT_EQ(n.source[0], 0u);  // r <- Ｒ
  EXPECT_EQ(n.source[1], 1u);  // e <- é
  EXPECT_EQ(n.source[2], 3u);  // v, after the zero-width space
  // 评 is three bytes, all from code point 8.
  EXPECT_EQ(n.source[7], 8u);
  EXPECT_EQ(n.source[9], 8u);
  EXPECT_EQ(n.SourceSpan(7, 13), std::make_pair(8u, 10u));
  EXPECT_EQ(n.SourceSpan(0, 6), std::make_pair(0u, 7u));
}

TEST(ValidateUtf8, RefusesMalformedSequencesWithTheirOffset) {
  uint32_t length = 0;
  EXPECT_TRUE(ValidateUtf8("héllo 评价 😀", &length).ok());
  EXPECT_EQ(length, 10u);
  const absl::Status bad = ValidateUtf8("ok \xC3\x28 then");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.message()), ::testing::HasSubstr("byte 3"));
  EXPECT_FALSE(ValidateUtf8("\xED\xA0\x80").ok());  // a surrogate
  EXPECT_FALSE(ValidateUtf8("\xF8\x88\x80\x80\x80").ok());
  EXPECT_FALSE(ValidateUtf8("\xE4\xBD").ok());  // cut short
}

TEST(CodePointSubstr, CutsOnCharactersNotBytes) {
  EXPECT_EQ(CodePointSubstr("a评价😀b", 1, 4), "评价😀");
  EXPECT_EQ(CodePointSubstr("abc", 3, 3), "");
  EXPECT_EQ(CodePointSubstr("abc", 0, 3), "abc");
  // Long texts are counted eight bytes at a time.
  const std::string long_text = "Grüße aus München, 評価を削除してください, then plain ASCII text for a while";
  EXPECT_EQ(CodePointSubstr(long_text, 19, 30), "評価を削除してください");
  EXPECT_EQ(CodePointSubstr(long_text, 32, 37), "then ");
  EXPECT_EQ(CodePointSubstr(long_text, 60, 90), "while");
  EXPECT_EQ(CodePointSubstr(long_text, 90, 95), "");
}

TEST(NormalizeForMatching, SpelledOutLettersAndDigitsFarIntoLongText) {
  // The passes skip eight bytes at a time where nothing can start a run or a digit: what they
  // find must not depend on where it falls.
  for (const std::string prefix : {"", "x ", "xy ", "xyz ", "information ", "informationally, ", "12345678 "}) {
    EXPECT_EQ(NormalizeLiteral(prefix + "please r e m o v e it, upd4te it"), prefix + "please remove it, update it")
        << prefix;
  }
}

}  // namespace
}  // namespace aftersales::reviews
