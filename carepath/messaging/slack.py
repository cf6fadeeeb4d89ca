"""Slack: Rasa's channel with native buttons and sources as short links.

Compared with Rasa's Slack channel:

- buttons stay native (an actions block); Rasa drops every button beyond 5,
  Slack takes 25 in a block, beyond which they become a numbered list (and
  "2" picks the second);
- the payload that ends every turn becomes one line of links (``<url|short>``,
  Slack's link format), never JSON: Rasa passes the payload's keys to
  ``chat.postMessage`` as arguments, which Slack rejects;
- ``api_base_url``: another Web API base URL (a proxy; default https://slack.com/api/).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.slack import SlackBot as RasaSlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint
from slack_sdk.web.async_client import AsyncWebClient

from carepath.messaging.handling import NumberedOptions, channel_handler
from carepath.messaging.text_only import is_carepath_payload, links_line, with_numbered_options

MAX_BUTTONS = 25  # elements in one Slack actions block
MAX_BUTTON_TEXT = 75
MAX_SECTION_TEXT = 3000


def slack_link(url: str, short: str) -> str:
    return f"<{url}|{short}>"


def native_buttons_fit(text: Text, buttons: List[Dict[Text, Any]]) -> bool:
    return (
        0 < len(buttons) <= MAX_BUTTONS
        and len(text or "") <= MAX_SECTION_TEXT
        and all(0 < len(str(button.get("title", ""))) <= MAX_BUTTON_TEXT for button in buttons)
    )


def button_blocks(text: Text, buttons: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    return [
        {"type": "section", "text": {"type": "plain_text", "text": text or " "}},
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": str(b["title"])}, "value": str(b["payload"])}
                for b in buttons
            ],
        },
    ]


class SlackBot(RasaSlackBot, NumberedOptions):
    def __init__(
        self,
        token: Text,
        slack_channel: Optional[Text] = None,
        thread_id: Optional[Text] = None,
        proxy: Optional[Text] = None,
        api_base_url: Optional[Text] = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        if api_base_url:
            self.client = AsyncWebClient(token, proxy=proxy, base_url=api_base_url.rstrip("/") + "/")

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        recipient = self.slack_channel or recipient_id
        if native_buttons_fit(text, buttons):
            await self._post_message(channel=recipient, as_user=True, text=text, blocks=button_blocks(text, buttons))
            return
        self.remember_options(recipient, buttons)
        await self._post_message(channel=recipient, as_user=True, text=with_numbered_options(text, buttons))

    async def send_quick_replies(
        self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        if is_carepath_payload(json_message):
            line = links_line(json_message, slack_link)
            if line:
                recipient = self.slack_channel or recipient_id
                await self._post_message(channel=recipient, as_user=True, text=line, unfurl_links=False)
            return
        await super().send_custom_json(recipient_id, json_message, **kwargs)


def slack_conversation(message: UserMessage) -> str:
    """Where the bot answers (numbered options are remembered per Slack channel)."""
    return str((message.metadata or {}).get("out_channel") or message.sender_id)


class SlackInput(RasaSlackInput):
    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SlackInput":
        channel = super().from_credentials(credentials)
        channel.api_base_url = (credentials or {}).get("api_base_url")
        return channel

    api_base_url: Optional[Text] = None

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> SlackBot:
        return SlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_base_url)

    def blueprint(self, on_new_message) -> Blueprint:
        return super().blueprint(channel_handler(self.name(), on_new_message, slack_conversation))
