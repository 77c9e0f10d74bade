//! Mail over SMTP (`lettre`, `INBOX_SMTP_URL`: `smtp://` plain for a local server,
//! `?tls=required` for STARTTLS, `smtps://` for TLS): the team's address as a channel, and
//! the visitor who left an email — an acknowledgement with the reference and the due time
//! (in the visitor's language and time zone, as the widget showed them: the report's
//! `locale` and `timezone`), and the team's reply with a link to check the status. Every
//! visitor mail ends with an opt-out link; nothing else is ever sent to a visitor.
//!
//! Each mail's `Message-ID` is derived from its queue row, so a resend after a crash is
//! the same message to the receiving side.
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::channel::{local_time, Sent};

/// The transport for `url`.
pub fn transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| e.to_string())?
        .timeout(Some(std::time::Duration::from_secs(20)))
        .build())
}

/// A message id for a queue row's key.
pub fn message_id(key: &str) -> String {
    format!(
        "<{}@reach-us.relay>",
        &crate::util::sha256_hex(key.as_bytes())[..32]
    )
}

/// Send one plain-text mail.
pub async fn send(
    t: &AsyncSmtpTransport<Tokio1Executor>,
    from: &str,
    to: &str,
    subject: &str,
    text: String,
    key: &str,
) -> Sent {
    let (Ok(from), Ok(to)) = (from.parse::<Mailbox>(), to.parse::<Mailbox>()) else {
        return Sent::Refused(format!("not an address: {to:?}"));
    };
    let msg = match Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .message_id(Some(message_id(key)))
        .header(ContentType::TEXT_PLAIN)
        .body(text)
    {
        Ok(m) => m,
        Err(e) => return Sent::Refused(e.to_string()),
    };
    match t.send(msg).await {
        Ok(_) => Sent::Ok,
        Err(e) if e.is_permanent() => Sent::Refused(format!("SMTP: {e}")),
        Err(e) => Sent::Retry(None, format!("SMTP: {e}")),
    }
}

/// The visitor's texts in one language: ack subject, ack with a promise, ack without,
/// reply subject, reply, status line, opt-out line, why-you-get-this.
pub struct Texts {
    /// Locale.
    pub locale: &'static str,
    ack_subject: &'static str,
    ack_due: &'static str,
    ack_no_due: &'static str,
    reply_subject: &'static str,
    reply: &'static str,
    status: &'static str,
    optout: &'static str,
    why: &'static str,
}

const TEXTS: [Texts; 10] = [
    Texts { locale: "en", ack_subject: "We received your report {reference}", ack_due: "Thank you for telling us. Your reference is {reference}.\nWe will reply by {due}.", ack_no_due: "Thank you for telling us. Your reference is {reference}.\nWe will reply as soon as we can.", reply_subject: "Reply to your report {reference}", reply: "Our team replied to your report {reference}:", status: "Check its status: {link}", optout: "No more emails about your reports: {link}", why: "You get this email because you left this address with your report. We send nothing else." },
    Texts { locale: "zh-CN", ack_subject: "我们已收到您的反馈 {reference}", ack_due: "感谢您告诉我们。您的编号是 {reference}。\n我们将在 {due} 前回复。", ack_no_due: "感谢您告诉我们。您的编号是 {reference}。\n我们会尽快回复。", reply_subject: "关于您的反馈 {reference} 的回复", reply: "我们的团队回复了您的反馈 {reference}：", status: "查看进度：{link}", optout: "不再接收关于您反馈的邮件：{link}", why: "您收到此邮件，是因为您在反馈中留下了这个地址。我们不会发送其他任何邮件。" },
    Texts { locale: "zh-TW", ack_subject: "我們已收到您的回報 {reference}", ack_due: "感謝您告訴我們。您的編號是 {reference}。\n我們將在 {due} 前回覆。", ack_no_due: "感謝您告訴我們。您的編號是 {reference}。\n我們會盡快回覆。", reply_subject: "關於您的回報 {reference} 的回覆", reply: "我們的團隊回覆了您的回報 {reference}：", status: "查看進度：{link}", optout: "不再接收關於您回報的郵件：{link}", why: "您收到此郵件，是因為您在回報中留下了這個地址。我們不會寄送其他任何郵件。" },
    Texts { locale: "ja", ack_subject: "ご報告 {reference} を受け付けました", ack_due: "ご連絡ありがとうございます。受付番号は {reference} です。\n{due} までにご返信します。", ack_no_due: "ご連絡ありがとうございます。受付番号は {reference} です。\nできるだけ早くご返信します。", reply_subject: "ご報告 {reference} への返信", reply: "ご報告 {reference} にチームが返信しました：", status: "状況の確認：{link}", optout: "ご報告に関するメールを停止：{link}", why: "ご報告の際にこのアドレスをご記入いただいたため、このメールをお送りしています。これ以外のメールはお送りしません。" },
    Texts { locale: "ko", ack_subject: "신고 {reference}을(를) 접수했습니다", ack_due: "알려 주셔서 감사합니다. 접수 번호는 {reference}입니다.\n{due}까지 답변드리겠습니다.", ack_no_due: "알려 주셔서 감사합니다. 접수 번호는 {reference}입니다.\n최대한 빨리 답변드리겠습니다.", reply_subject: "신고 {reference}에 대한 답변", reply: "저희 팀이 신고 {reference}에 답변했습니다:", status: "진행 상황 확인: {link}", optout: "신고 관련 이메일 받지 않기: {link}", why: "신고와 함께 이 주소를 남기셨기 때문에 이 이메일을 보내 드립니다. 그 외에는 아무것도 보내지 않습니다." },
    Texts { locale: "es", ack_subject: "Hemos recibido tu reporte {reference}", ack_due: "Gracias por avisarnos. Tu referencia es {reference}.\nTe responderemos antes de {due}.", ack_no_due: "Gracias por avisarnos. Tu referencia es {reference}.\nTe responderemos lo antes posible.", reply_subject: "Respuesta a tu reporte {reference}", reply: "Nuestro equipo ha respondido a tu reporte {reference}:", status: "Consulta su estado: {link}", optout: "No recibir más correos sobre tus reportes: {link}", why: "Recibes este correo porque dejaste esta dirección en tu reporte. No enviamos nada más." },
    Texts { locale: "fr", ack_subject: "Nous avons reçu votre signalement {reference}", ack_due: "Merci de nous avoir prévenus. Votre référence est {reference}.\nNous vous répondrons d'ici le {due}.", ack_no_due: "Merci de nous avoir prévenus. Votre référence est {reference}.\nNous vous répondrons dès que possible.", reply_subject: "Réponse à votre signalement {reference}", reply: "Notre équipe a répondu à votre signalement {reference} :", status: "Voir son état : {link}", optout: "Ne plus recevoir d'e-mails sur vos signalements : {link}", why: "Vous recevez cet e-mail car vous avez laissé cette adresse avec votre signalement. Nous n'envoyons rien d'autre." },
    Texts { locale: "de", ack_subject: "Wir haben Ihre Meldung {reference} erhalten", ack_due: "Danke für Ihre Nachricht. Ihre Referenz ist {reference}.\nWir antworten bis {due}.", ack_no_due: "Danke für Ihre Nachricht. Ihre Referenz ist {reference}.\nWir antworten so schnell wie möglich.", reply_subject: "Antwort auf Ihre Meldung {reference}", reply: "Unser Team hat auf Ihre Meldung {reference} geantwortet:", status: "Status ansehen: {link}", optout: "Keine E-Mails mehr zu Ihren Meldungen: {link}", why: "Sie erhalten diese E-Mail, weil Sie diese Adresse mit Ihrer Meldung angegeben haben. Wir senden nichts anderes." },
    Texts { locale: "pt-BR", ack_subject: "Recebemos seu relato {reference}", ack_due: "Obrigado por nos avisar. Sua referência é {reference}.\nResponderemos até {due}.", ack_no_due: "Obrigado por nos avisar. Sua referência é {reference}.\nResponderemos assim que possível.", reply_subject: "Resposta ao seu relato {reference}", reply: "Nossa equipe respondeu ao seu relato {reference}:", status: "Veja o andamento: {link}", optout: "Não receber mais e-mails sobre seus relatos: {link}", why: "Você recebe este e-mail porque deixou este endereço no seu relato. Não enviamos mais nada." },
    Texts { locale: "ar", ack_subject: "تلقّينا بلاغك {reference}", ack_due: "شكرًا لإخبارنا. رقمك المرجعي هو {reference}.\nسنردّ قبل {due}.", ack_no_due: "شكرًا لإخبارنا. رقمك المرجعي هو {reference}.\nسنردّ في أقرب وقت ممكن.", reply_subject: "ردّ على بلاغك {reference}", reply: "ردّ فريقنا على بلاغك {reference}:", status: "تابِع حالته: {link}", optout: "إيقاف الرسائل بشأن بلاغاتك: {link}", why: "تصلك هذه الرسالة لأنك تركت هذا العنوان مع بلاغك. لا نرسل أي شيء آخر." },
];

/// The texts for a report's `locale` (negotiated as the widget does; English otherwise).
pub fn texts(locale: &str) -> &'static Texts {
    let l = reach_us_core::i18n::negotiate([locale]);
    TEXTS.iter().find(|t| t.locale == l).unwrap_or(&TEXTS[0])
}

fn fill(t: &str, pairs: &[(&str, &str)]) -> String {
    reach_us_core::i18n::fill(t, pairs).into_owned()
}

/// What a visitor mail says.
pub struct VisitorMail {
    /// Subject.
    pub subject: String,
    /// Plain text.
    pub text: String,
}

/// The acknowledgement: reference, and the due time in the visitor's zone (`zone`, the
/// report's `timezone`; UTC when it sent none or an unknown one).
pub fn ack(
    locale: &str,
    zone: &str,
    reference: &str,
    due: Option<i64>,
    status_link: &str,
    optout_link: &str,
) -> VisitorMail {
    let t = texts(locale);
    let due = due.map(|d| local_time(d, zone));
    let body = match &due {
        Some(d) => fill(t.ack_due, &[("reference", reference), ("due", d)]),
        None => fill(t.ack_no_due, &[("reference", reference)]),
    };
    VisitorMail {
        subject: fill(t.ack_subject, &[("reference", reference)]),
        text: format!(
            "{body}\n\n{}\n\n--\n{}\n{}\n",
            fill(t.status, &[("link", status_link)]),
            t.why,
            fill(t.optout, &[("link", optout_link)])
        ),
    }
}

/// The team's reply.
pub fn reply(
    locale: &str,
    reference: &str,
    reply: &str,
    status_link: &str,
    optout_link: &str,
) -> VisitorMail {
    let t = texts(locale);
    VisitorMail {
        subject: fill(t.reply_subject, &[("reference", reference)]),
        text: format!(
            "{}\n\n{reply}\n\n{}\n\n--\n{}\n{}\n",
            fill(t.reply, &[("reference", reference)]),
            fill(t.status, &[("link", status_link)]),
            t.why,
            fill(t.optout, &[("link", optout_link)])
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitor_mail_in_the_visitors_language_and_zone() {
        let due = reach_us_core::time::parse_iso("2026-11-23T13:30:00Z").unwrap();
        let m = ack(
            "fr-FR",
            "Europe/Paris",
            "ACME-7K2P9Q",
            Some(due),
            "https://s/1",
            "https://o/1",
        );
        assert_eq!(m.subject, "Nous avons reçu votre signalement ACME-7K2P9Q");
        assert!(
            m.text.contains("d'ici le 2026-11-23 14:30 (Europe/Paris)"),
            "{}",
            m.text
        );
        assert!(m.text.contains("https://o/1") && m.text.contains("https://s/1"));
        let z = ack("zh-Hant-HK", "Asia/Taipei", "R", None, "s", "o");
        assert!(z.text.contains("我們會盡快回覆"), "{}", z.text);
        assert_eq!(texts("xx").locale, "en");
        let r = reply("de", "R-1", "Wir haben es repariert.", "s", "o");
        assert!(r.text.contains("Wir haben es repariert.") && r.subject.contains("R-1"));
    }
}
