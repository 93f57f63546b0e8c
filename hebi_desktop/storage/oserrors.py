"""The cause of a file error in Chinese words, for every message a clerk may read."""

from __future__ import annotations

import errno

MAX_NAME_BYTES = 255  # the longest file name Windows (NTFS) and Linux file systems allow


def reason(error: OSError) -> str:
    """Why a file could not be read or written, in words (never the English strerror)."""
    if error.errno == errno.ENOSPC:
        return "磁盘空间不足"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "没有写入权限"
    if error.errno == errno.EROFS:
        return "磁盘为只读"
    if error.errno == errno.ENOENT:
        return "文件夹不存在"
    if error.errno == errno.ENAMETOOLONG:
        return "文件名或路径太长"
    if error.errno == errno.EISDIR:
        return "这是一个文件夹"
    if error.errno == errno.ENOTDIR:
        return "路径中有一部分不是文件夹"
    if error.errno == errno.EEXIST:
        return "文件已存在"
    return "无法访问该文件（系统错误代码{}）".format(error.errno or "未知")


def name_too_long(path: str) -> bool:
    """True when a part of ``path`` is longer than file systems allow."""
    from pathlib import PurePath

    return any(len(part.encode("utf-8")) > MAX_NAME_BYTES for part in PurePath(path).parts)
