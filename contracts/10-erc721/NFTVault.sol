// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The part of ERC-721 the vault calls.
interface IERC721 {
    function transferFrom(address from, address to, uint256 tokenId) external;
    function safeTransferFrom(address from, address to, uint256 tokenId) external;
}

/// @title A vault for the tokens of one collection, deposited with safeTransferFrom.
contract NFTVault {
    // YOUR CODE HERE: the constructor, collection, depositorOf, onERC721Received, withdraw.
}
