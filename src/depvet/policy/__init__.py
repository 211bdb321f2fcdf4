"""What may be installed: the policy file and the decision it gives for one file."""

from depvet.policy.config import DEFAULT_INDEX, Exception_, Policy, ProxySettings, load_policy
from depvet.policy.decide import Action, Decision, FileFacts, Reason, decide

__all__ = [
    "DEFAULT_INDEX",
    "Action",
    "Decision",
    "Exception_",
    "FileFacts",
    "Policy",
    "ProxySettings",
    "Reason",
    "decide",
    "load_policy",
]
