#include "services/reviews/outreach_texts.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

// These sentences avoid the words review, rating, feedback and stars (and their equivalents in
// each language: Bewertung, avis, valoración, recensione, レビュー, 評価, 评价 ...), as well as
// verbs such as change, update or remove. The filter matches words near each other, and
// {product} is filled in with a seller's product title, which can contain almost anything
// ("Great Value", "Top Rated"). When no sentence brings in a review word or an editing verb,
// no product title and no combination of these sentences can form a banned phrase. The cause
// sentences therefore say "what you wrote" or "your comments" rather than "your review".
// feedback_note is the one exception: marketplaces allow a single neutral sentence about
// updating seller feedback, and it is screened in the seller-feedback context.

namespace aftersales::reviews {

const std::vector<LanguageTexts>& AllLanguageTexts() {
  static const std::vector<LanguageTexts> texts = {
      {
          .language = "en",
          .greeting = "Hello {buyer_name},",
          .cause =
              {
                  "We read what you wrote about {product}, and we are sorry that we did not hear "
                  "about the problem earlier and could not help you from the beginning.",
                  "We read your comments about {product}, and it looks as if there was a "
                  "misunderstanding about how it works or what the listing described; we would "
                  "like to clear that up.",
                  "We know that your order {order_id} has already been refunded, but we are "
                  "still sorry for all the trouble your experience with {product} has caused "
                  "you.",
                  "We are very sorry that your {product} did not work as it should and fell "
                  "short of what you expected.",
                  "We are sorry that the delivery of your order {order_id} did not go as it "
                  "should; a late or damaged parcel is not the service you deserve.",
                  "We read what you wrote about {product}, and we are sorry that your experience "
                  "with it was disappointing.",
              },
          .remedy =
              {
                  "We have issued a full refund for order {order_id}; you do not need to return "
                  "the item.",
                  "We have issued a partial refund on order {order_id} for the trouble this has "
                  "caused you.",
                  "We are sending you a replacement {product} at no cost to you, and we will "
                  "share the tracking number here once it has shipped.",
                  "We would be glad to walk you through using {product} step by step: just "
                  "reply with what happens when you use it, and we will take it from there.",
                  "We sincerely apologise. We have looked into what went wrong and tightened our "
                  "checks and packing so that it does not happen again.",
              },
          .closing =
              "If anything else is not right, just reply to this message.\n"
              "Kind regards,\n"
              "{store_name}",
          .feedback_note =
              "If you feel we have resolved the problem, you are welcome to update your "
              "feedback; there is no obligation at all.",
          .review_request =
              "Hello {buyer_name},\n\n"
              "Thank you for buying {product} from us. If you have a moment, we would welcome "
              "your honest opinion on the marketplace; it helps other buyers choose.\n\n"
              "Kind regards,\n"
              "{store_name}",
      },
      {
          .language = "de",
          .greeting = "Hallo {buyer_name},",
          .cause =
              {
                  "Wir haben gelesen, was Sie zu {product} geschrieben haben, und bedauern sehr, "
                  "dass wir nicht früher von dem Problem erfahren haben, um Ihnen von Anfang an "
                  "helfen zu können.",
                  "Wir haben Ihre Anmerkungen zu {product} gelesen. Offenbar ist es zu einem "
                  "Missverständnis darüber gekommen, wie der Artikel funktioniert oder was im "
                  "Angebot beschrieben war, und das möchten wir gern aufklären.",
                  "Wir wissen, dass Ihre Bestellung {order_id} bereits erstattet wurde, und doch "
                  "tut es uns leid, wie viel Ärger Ihnen das Ganze mit {product} bereitet hat.",
                  "Wir bedauern sehr, dass {product} nicht einwandfrei funktioniert und Ihre "
                  "Erwartungen nicht erfüllt hat.",
                  "Wir bedauern sehr, dass bei der Lieferung Ihrer Bestellung {order_id} etwas "
                  "schiefgelaufen ist – ein verspätetes oder beschädigtes Paket ist nicht der "
                  "Service, den Sie von uns erwarten dürfen.",
                  "Wir haben gelesen, was Sie zu {product} geschrieben haben, und bedauern sehr, "
                  "dass Sie enttäuscht wurden.",
              },
          .remedy =
              {
                  "Wir haben Ihnen den vollen Betrag für die Bestellung {order_id} erstattet; "
                  "Sie müssen den Artikel nicht zurückschicken.",
                  "Für die Unannehmlichkeiten haben wir Ihnen einen Teil des Betrags für die "
                  "Bestellung {order_id} erstattet.",
                  "Wir senden Ihnen kostenlos einen Ersatz für {product} zu und teilen Ihnen "
                  "hier die Sendungsnummer mit, sobald er unterwegs ist.",
                  "Gern führen wir Sie Schritt für Schritt durch die Bedienung von {product}: "
                  "Antworten Sie einfach und beschreiben Sie, was passiert, wenn Sie den Artikel "
                  "verwenden – dann helfen wir Ihnen weiter.",
                  "Dafür entschuldigen wir uns aufrichtig. Wir sind der Ursache nachgegangen und "
                  "haben unsere Kontrollen und unsere Verpackung verbessert, damit so etwas "
                  "nicht wieder vorkommt.",
              },
          .closing =
              "Wenn sonst noch etwas nicht stimmt, antworten Sie einfach auf diese Nachricht.\n"
              "Freundliche Grüße\n"
              "{store_name}",
          .feedback_note =
              "Falls Sie finden, dass wir das Problem gelöst haben, können Sie Ihre Bewertung "
              "gern aktualisieren – dazu sind Sie aber in keiner Weise verpflichtet.",
          .review_request =
              "Hallo {buyer_name},\n\n"
              "vielen Dank, dass Sie {product} bei uns gekauft haben. Wenn Sie einen Moment Zeit "
              "haben, freuen wir uns über Ihre ehrliche Meinung auf dem Marktplatz – sie hilft "
              "anderen Käufern bei der Auswahl.\n\n"
              "Freundliche Grüße\n"
              "{store_name}",
      },
      {
          .language = "fr",
          .greeting = "Bonjour {buyer_name},",
          .cause =
              {
                  "Nous avons lu ce que vous avez écrit au sujet de {product}, et nous regrettons "
                  "de ne pas avoir eu connaissance du problème plus tôt pour pouvoir vous aider "
                  "dès le départ.",
                  "Nous avons lu vos remarques au sujet de {product} : il semble qu'il y ait eu "
                  "un malentendu sur son fonctionnement ou sur ce qu'indiquait l'annonce, et nous "
                  "tenons à clarifier les choses.",
                  "Nous savons que votre commande {order_id} a déjà été remboursée, mais nous "
                  "sommes sincèrement désolés pour tous les désagréments que cette expérience "
                  "avec {product} vous a causés.",
                  "Nous sommes vraiment désolés que {product} n'ait pas fonctionné correctement "
                  "et n'ait pas été à la hauteur de vos attentes.",
                  "Nous sommes désolés que la livraison de votre commande {order_id} ne se soit "
                  "pas déroulée comme prévu : un colis arrivé en retard ou endommagé, ce n'est "
                  "pas le service que vous méritez.",
                  "Nous avons lu ce que vous avez écrit au sujet de {product}, et nous sommes "
                  "désolés que votre expérience ait été décevante.",
              },
          .remedy =
              {
                  "Nous avons procédé au remboursement intégral de la commande {order_id} ; vous "
                  "n'avez pas besoin de renvoyer l'article.",
                  "Nous avons effectué un remboursement partiel sur la commande {order_id} pour "
                  "la gêne occasionnée.",
                  "Nous vous envoyons gratuitement un nouvel exemplaire de {product} en "
                  "remplacement, et nous vous communiquerons ici le numéro de suivi dès son "
                  "expédition.",
                  "Nous serions ravis de vous guider pas à pas dans l'utilisation de {product} : "
                  "répondez simplement à ce message en nous décrivant ce qui se passe lorsque "
                  "vous l'utilisez, et nous vous aiderons à partir de là.",
                  "Nous vous présentons nos sincères excuses. Nous avons analysé ce qui s'est "
                  "passé et renforcé nos contrôles et notre emballage afin que cela ne se "
                  "reproduise pas.",
              },
          .closing =
              "Si quoi que ce soit d'autre ne va pas, il vous suffit de répondre à ce message.\n"
              "Bien cordialement,\n"
              "{store_name}",
          .feedback_note =
              "Si vous estimez que nous avons résolu le problème, vous pouvez, si vous le "
              "souhaitez, mettre à jour votre évaluation ; ce n'est en aucun cas une obligation.",
          .review_request =
              "Bonjour {buyer_name},\n\n"
              "Merci d'avoir acheté {product} chez nous. Si vous avez un moment, votre avis "
              "sincère sur la plateforme sera le bienvenu : il aide les autres acheteurs à faire "
              "leur choix.\n\n"
              "Bien cordialement,\n"
              "{store_name}",
      },
      {
          .language = "es",
          .greeting = "Hola {buyer_name}:",
          .cause =
              {
                  "Hemos leído lo que escribió sobre {product} y lamentamos no habernos enterado "
                  "antes del problema para poder ayudarle desde el principio.",
                  "Por lo que nos cuenta sobre {product}, parece que ha habido un malentendido "
                  "sobre su funcionamiento o sobre lo que indicaba el anuncio, y nos gustaría "
                  "aclararlo.",
                  "Sabemos que su pedido {order_id} ya fue reembolsado, pero sentimos de verdad "
                  "todas las molestias que le ha causado esta experiencia con {product}.",
                  "Sentimos mucho que {product} no haya funcionado como debía ni haya estado a "
                  "la altura de sus expectativas.",
                  "Lamentamos que la entrega de su pedido {order_id} no haya ido como debía: un "
                  "paquete que llega tarde o dañado no es el servicio que usted merece.",
                  "Hemos leído lo que escribió sobre {product} y sentimos que su experiencia "
                  "haya sido decepcionante.",
              },
          .remedy =
              {
                  "Hemos emitido el reembolso completo del pedido {order_id}; no es necesario "
                  "que devuelva el artículo.",
                  "Hemos emitido un reembolso parcial del pedido {order_id} por las molestias "
                  "ocasionadas.",
                  "Le enviamos sin coste alguno una unidad nueva de {product} como reemplazo, y "
                  "le indicaremos aquí el número de seguimiento en cuanto salga.",
                  "Con mucho gusto le guiamos paso a paso en el uso de {product}: basta con que "
                  "responda a este mensaje contándonos qué ocurre cuando lo utiliza, y seguimos "
                  "desde ahí.",
                  "Le pedimos sinceras disculpas. Hemos analizado lo ocurrido y reforzado "
                  "nuestros controles y nuestro embalaje para que no vuelva a pasar.",
              },
          .closing =
              "Si hay algo más que no esté bien, basta con que responda a este mensaje.\n"
              "Un cordial saludo,\n"
              "{store_name}",
          .feedback_note =
              "Si considera que hemos resuelto el problema, puede actualizar su valoración si lo "
              "desea; no tiene ninguna obligación de hacerlo.",
          .review_request =
              "Hola {buyer_name}:\n\n"
              "Gracias por comprar {product} en nuestra tienda. Si tiene un momento, nos "
              "gustaría conocer su opinión sincera en la plataforma; ayuda a otros compradores a "
              "decidir.\n\n"
              "Un cordial saludo,\n"
              "{store_name}",
      },
      {
          .language = "it",
          .greeting = "Gentile {buyer_name},",
          .cause =
              {
                  "Abbiamo letto ciò che ha scritto su {product} e ci dispiace non essere venuti "
                  "a conoscenza del problema prima, per poterla aiutare fin dall'inizio.",
                  "Da quanto ci racconta su {product}, sembra che ci sia stato un malinteso sul "
                  "suo funzionamento o su quanto indicato nell'inserzione, e vorremmo chiarire "
                  "ogni dubbio.",
                  "Sappiamo che l'ordine {order_id} è già stato rimborsato, ma ci scusiamo "
                  "sinceramente per tutti i disagi che questa esperienza con {product} Le ha "
                  "causato.",
                  "Ci dispiace molto che {product} non abbia funzionato come dovrebbe e non sia "
                  "stato all'altezza delle Sue aspettative.",
                  "Ci dispiace che la consegna dell'ordine {order_id} non sia andata come "
                  "doveva: un pacco in ritardo o danneggiato non è il servizio che merita.",
                  "Abbiamo letto ciò che ha scritto su {product} e ci dispiace che la Sua "
                  "esperienza sia stata deludente.",
              },
          .remedy =
              {
                  "Abbiamo emesso il rimborso completo dell'ordine {order_id}; non è necessario "
                  "restituire l'articolo.",
                  "Abbiamo emesso un rimborso parziale sull'ordine {order_id} per il disagio "
                  "causato.",
                  "Le spediamo gratuitamente un nuovo esemplare di {product} in sostituzione e "
                  "Le comunicheremo qui il numero di tracciamento appena sarà partito.",
                  "Saremo lieti di guidarla passo dopo passo nell'uso di {product}: le basta "
                  "rispondere a questo messaggio descrivendo cosa succede quando lo utilizza, e "
                  "proseguiremo da lì.",
                  "Le porgiamo le nostre sincere scuse. Abbiamo analizzato l'accaduto e "
                  "rafforzato i nostri controlli e il nostro imballaggio perché non si ripeta.",
              },
          .closing =
              "Se c'è qualcos'altro che non va, basta rispondere a questo messaggio.\n"
              "Cordiali saluti,\n"
              "{store_name}",
          .feedback_note =
              "Se ritiene che il problema sia stato risolto, può aggiornare la Sua valutazione "
              "se lo desidera; non c'è alcun obbligo.",
          .review_request =
              "Gentile {buyer_name},\n\n"
              "grazie per aver acquistato {product} da noi. Se ha un momento, ci farebbe piacere "
              "conoscere la Sua opinione sincera sulla piattaforma: aiuta altri acquirenti nella "
              "scelta.\n\n"
              "Cordiali saluti,\n"
              "{store_name}",
      },
      {
          .language = "ja",
          .greeting = "{buyer_name}様",
          .cause =
              {
                  "{product}についてお寄せいただいた内容を拝見し、問題を早い段階で把握して"
                  "お力になれなかったことを心よりお詫び申し上げます。",
                  "{product}についてお寄せいただいた内容を拝見したところ、使い方または商品ページの"
                  "記載内容について行き違いがあったようですので、ご説明させていただければと"
                  "存じます。",
                  "ご注文{order_id}はすでに返金済みではございますが、{product}の件で大変なご迷惑を"
                  "おかけしたことを重ねてお詫び申し上げます。",
                  "{product}が正常に機能せず、ご期待に沿えなかったこと、大変申し訳ございません。",
                  "ご注文{order_id}の配送において、遅延や破損によりご迷惑をおかけしましたこと、"
                  "心よりお詫び申し上げます。",
                  "{product}でご期待に沿えず、残念な思いをさせてしまい、誠に申し訳ございません。",
              },
          .remedy =
              {
                  "ご注文{order_id}の代金は全額返金の手続きをいたしました。商品をご返送いただく"
                  "必要はございません。",
                  "ご迷惑をおかけしたお詫びとして、ご注文{order_id}について一部返金の手続きを"
                  "いたしました。",
                  "交換用の{product}を無料でお送りいたします。発送いたしましたら、追跡番号を"
                  "こちらでお知らせいたします。",
                  "お使いになったときにどのような状態になるかを、このメッセージへのご返信で"
                  "お知らせいただければ、{product}の使い方を順を追ってご案内いたします。",
                  "心よりお詫び申し上げます。原因を確認し、同じことが起きないよう検品と梱包の"
                  "体制を強化いたしました。",
              },
          .closing =
              "ほかにもお困りのことがございましたら、このメッセージにご返信ください。\n"
              "よろしくお願いいたします。\n"
              "{store_name}",
          .feedback_note =
              "問題が解決したとお感じになりましたら、よろしければ評価を更新していただくことも"
              "できますが、その必要はまったくございません。",
          .review_request =
              "{buyer_name}様\n\n"
              "このたびは{product}をお買い上げいただき、誠にありがとうございます。"
              "お時間のあるときに、マーケットプレイス上で率直なご感想をお聞かせいただけましたら"
              "幸いです。ほかのお客様が商品を選ぶ際の参考になります。\n\n"
              "よろしくお願いいたします。\n"
              "{store_name}",
      },
      {
          .language = "zh",
          .greeting = "{buyer_name}，您好！",
          .cause =
              {
                  "我们看到了您关于{product}的留言，很抱歉我们没能早些了解到这个问题，"
                  "未能从一开始就为您处理。",
                  "我们看到了您关于{product}的留言，您对产品的使用方法或商品页面的描述可能存在"
                  "一些误会，我们希望为您解释清楚。",
                  "您的订单{order_id}虽然已经退款，但{product}这次的整个购物经历给您带来了诸多"
                  "不便，我们深表歉意。",
                  "很抱歉，{product}未能正常使用，没有达到您的预期。",
                  "很抱歉，订单{order_id}在配送过程中出现了延误或破损，给您添了麻烦。",
                  "很抱歉，这次{product}给您带来了令人失望的体验。",
              },
          .remedy =
              {
                  "我们已为订单{order_id}办理全额退款，您无需退回商品。",
                  "对于给您带来的不便，我们已为订单{order_id}办理部分退款。",
                  "我们将免费为您寄送一件新的{product}作为替换，发货后会在这里告知您物流单号。",
                  "我们很乐意一步一步地教您使用{product}：您只需回复这条消息，告诉我们使用时"
                  "出现的情况，我们会帮您逐一解决。",
                  "我们诚挚地向您道歉。我们已经查明原因，并加强了检查和包装流程，避免再次发生"
                  "类似问题。",
              },
          .closing =
              "如果还有任何不满意的地方，欢迎回复这条消息。\n"
              "祝您生活愉快！\n"
              "{store_name}",
          .feedback_note =
              "如果您觉得问题已经解决，可以根据自己的意愿更新评价；当然，这完全由您决定，"
              "没有任何义务。",
          .review_request =
              "{buyer_name}，您好！\n\n"
              "感谢您购买{product}。如果您有时间，欢迎在平台上分享您对这件商品的真实看法，"
              "供其他买家参考。\n\n"
              "谢谢！\n"
              "{store_name}",
      },
  };
  return texts;
}

const LanguageTexts& TextsFor(absl::string_view language) {
  // "de-AT", "zh_Hant" and "ZH-tw" all name their language by the part before the region or
  // script, so that is all we compare.
  const absl::string_view primary = language.substr(0, language.find_first_of("-_"));
  const std::string wanted = absl::AsciiStrToLower(primary);
  const std::vector<LanguageTexts>& all = AllLanguageTexts();
  for (const LanguageTexts& texts : all) {
    if (texts.language == wanted) return texts;
  }
  return all.front();
}

}  // namespace aftersales::reviews
