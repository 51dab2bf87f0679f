"""The audit certificate's words in each document language (EN, NL, ZH)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "heading": "Audit certificate",
        "footer": "audit certificate",
        "issued_by": "issued by",
        "shown": "SHA-256 of the document as shown to the signers ({size} bytes):",
        "covers": "What the signature covers: the document as shown, byte for byte unchanged as "
        "the first {size} bytes of this file, followed by this certificate and the filled "
        "signature blocks. Each electronic signature covers every byte of the file up to that "
        "signature; its digest is in the signature itself.",
        "signers": "Signers",
        "name": "Name",
        "position": "Position",
        "email": "E-mail",
        "signed_at": "Signed (UTC)",
        "signed_from": "Signed from",
        "opened_at": "Opened (UTC)",
        "typed": "Typed signature",
        "time": "Time (UTC)",
        "event": "Event",
        "by": "By",
        "ip": "IP address",
        "browser": "Browser",
        "sent": "Sent for signature",
        "opened": "Opened",
        "signed": "Signed",
        "consent_heading": "Consent",
        "consent_text": "I agree to sign this document electronically, and that my typed name "
        "is my signature.",
        "consented": "{name} ticked the box “{consent}” and typed “{typed}” as their signature.",
        "sealed": "This document is sealed with an electronic signature of {seller}; any change "
        "made after signing invalidates that signature.",
        "reason": "Signed {number} through {seller}",
        "signed_by": "Signed electronically",
    },
    "nl": {
        "heading": "Auditcertificaat",
        "footer": "auditcertificaat",
        "issued_by": "uitgegeven door",
        "shown": "SHA-256 van het document zoals aan de ondertekenaars getoond ({size} bytes):",
        "covers": "Wat de handtekening dekt: het document zoals getoond, byte voor byte "
        "ongewijzigd als de eerste {size} bytes van dit bestand, gevolgd door dit certificaat "
        "en de ingevulde ondertekeningsblokken. Elke elektronische handtekening dekt alle bytes "
        "van het bestand tot aan die handtekening; de hash staat in de handtekening zelf.",
        "signers": "Ondertekenaars",
        "name": "Naam",
        "position": "Functie",
        "email": "E-mail",
        "signed_at": "Ondertekend (UTC)",
        "signed_from": "Ondertekend vanaf",
        "opened_at": "Geopend (UTC)",
        "typed": "Getypte handtekening",
        "time": "Tijd (UTC)",
        "event": "Gebeurtenis",
        "by": "Door",
        "ip": "IP-adres",
        "browser": "Browser",
        "sent": "Verzonden ter ondertekening",
        "opened": "Geopend",
        "signed": "Ondertekend",
        "consent_heading": "Instemming",
        "consent_text": "Ik ga ermee akkoord dit document elektronisch te ondertekenen en dat "
        "mijn getypte naam mijn handtekening is.",
        "consented": "{name} heeft het vakje “{consent}” aangevinkt en “{typed}” als "
        "handtekening getypt.",
        "sealed": "Dit document is verzegeld met een elektronische handtekening van {seller}; "
        "elke wijziging na ondertekening maakt die handtekening ongeldig.",
        "reason": "{number} ondertekend via {seller}",
        "signed_by": "Elektronisch ondertekend",
    },
    "zh": {
        "heading": "审计证书",
        "footer": "审计证书",
        "issued_by": "签发方",
        "shown": "向签署人展示的文件的 SHA-256（{size} 字节）：",
        "covers": "签名涵盖的内容：所展示的文件（作为本文件的前 {size} 个字节，逐字节未作更改），"
        "其后为本证书及已填写的签署栏。每个电子签名涵盖本文件中该签名之前的全部字节；"
        "其摘要值包含在签名本身之中。",
        "signers": "签署人",
        "name": "姓名",
        "position": "职务",
        "email": "电子邮件",
        "signed_at": "签署时间（UTC）",
        "signed_from": "签署来源",
        "opened_at": "打开时间（UTC）",
        "typed": "输入的签名",
        "time": "时间（UTC）",
        "event": "事件",
        "by": "操作人",
        "ip": "IP 地址",
        "browser": "浏览器",
        "sent": "发送签署",
        "opened": "已打开",
        "signed": "已签署",
        "consent_heading": "同意",
        "consent_text": "我同意以电子方式签署本文件，并同意我输入的姓名即为我的签名。",
        "consented": "{name} 勾选了“{consent}”，并输入“{typed}”作为其签名。",
        "sealed": "本文件已由 {seller} 的电子签名封存；签署后的任何更改均会使该签名失效。",
        "reason": "通过 {seller} 签署 {number}",
        "signed_by": "已电子签署",
    },
}


def labels_for(language: str) -> dict[str, str]:
    """The certificate's words in the document's language (English for any other)."""
    return LABELS.get(language, LABELS["en"])
